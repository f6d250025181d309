import Foundation

extension LoupeConfiguration {
    /// `telemetry:` settings: where proxied calls are exported as OpenTelemetry GenAI spans, and what they carry.
    public struct Telemetry: Sendable, Equatable {
        /// The OTLP/HTTP traces URL, such as `http://localhost:4318/v1/traces`; nil exports nothing.
        public var otlpEndpoint: URL?
        /// Export request and response messages (`gen_ai.input.messages`, `gen_ai.output.messages`); off by default.
        public var captureContent = false
        /// The exported resource's `service.name`.
        public var serviceName = "loupe"
        /// Extra headers on every export request, such as an API key for the collector.
        public var headers: [String: String] = [:]

        public init(otlpEndpoint: URL? = nil, captureContent: Bool = false, serviceName: String = "loupe", headers: [String: String] = [:]) {
            self.otlpEndpoint = otlpEndpoint
            self.captureContent = captureContent
            self.serviceName = serviceName
            self.headers = headers
        }
    }
}
