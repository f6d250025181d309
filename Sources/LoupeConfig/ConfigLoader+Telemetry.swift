import Foundation

extension ConfigLoader {
    /// Reads `telemetry:`: `otlp_endpoint` (an http or https URL), `capture_content`, `service_name`, `headers`.
    static func telemetry(_ node: ConfigNode) throws -> LoupeConfiguration.Telemetry {
        var telemetry = LoupeConfiguration.Telemetry()
        for (field, item) in try node.mapping(allowed: ["otlp_endpoint", "capture_content", "service_name", "headers"]) {
            switch field {
            case "otlp_endpoint":
                let text = try item.string()
                guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                    throw item.error("'\(text)' is not an http(s) URL; give the collector's OTLP/HTTP traces URL, such as http://localhost:4318/v1/traces")
                }
                telemetry.otlpEndpoint = url
            case "capture_content": telemetry.captureContent = try item.bool()
            case "service_name":
                telemetry.serviceName = try item.string()
                guard !telemetry.serviceName.isEmpty else { throw item.error("service_name must not be empty") }
            default:
                for (name, value) in try item.mapping() { telemetry.headers[name] = try value.string() }
            }
        }
        return telemetry
    }
}
