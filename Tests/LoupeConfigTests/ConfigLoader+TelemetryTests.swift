import Foundation
import LoupeConfig
import Testing

@Suite struct ConfigLoaderTelemetryTests {
    @Test func telemetryKeysAreReadWithTheirEnvironment() throws {
        let config = try ConfigLoader.parse(yaml: """
            telemetry:
              otlp_endpoint: http://collector:4318/v1/traces
              capture_content: true
              service_name: checkout-gateway
              headers: { x-honeycomb-team: "${HONEYCOMB_KEY}" }
            """, file: "loupe.yaml", environment: ["HONEYCOMB_KEY": "hc-123"])
        #expect(config.telemetry == .init(
            otlpEndpoint: URL(string: "http://collector:4318/v1/traces"), captureContent: true, serviceName: "checkout-gateway",
            headers: ["x-honeycomb-team": "hc-123"]
        ))
        // Without the key, nothing is exported and content is never captured.
        #expect(ConfigLoader.defaults(environment: [:]).telemetry == .init())
    }

    @Test func badTelemetrySaysWhereAndWhatIsExpected() {
        func failure(_ yaml: String) -> String? {
            do {
                _ = try ConfigLoader.parse(yaml: yaml, file: "loupe.yaml", environment: [:])
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("telemetry:\n  otlp_endpoint: collector:4318\n")?.contains("loupe.yaml:2: telemetry.otlp_endpoint") == true)
        #expect(failure("telemetry:\n  capture_content: sometimes\n")?.contains("expected true or false") == true)
        #expect(failure("telemetry:\n  service_name: \"\"\n")?.contains("must not be empty") == true)
        #expect(failure("telemetry:\n  endpoint: http://x\n") != nil)
    }
}
