import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LoupeConfig
import LoupeCore
import LoupeOTel
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// A Loupe with `telemetry.otlp_endpoint` exports each proxied call as a GenAI span: here to a second Loupe's `/v1/traces`.
@Suite struct OTLPExporterTests {
    /// Scrapes `/metrics` until it shows `line` (the exporter sends a batch at most a second after a call), or 30 s pass.
    static func scrape(_ loupe: LoupeHarness, until line: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        var scrape = ""
        while !scrape.contains(line), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            scrape = try await loupe.get("/metrics").body
        }
        return scrape
    }

    @Test func aProxiedCallArrivesAsAGenAISpanInTheCallersTrace() async throws {
        let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
        try await withLoupe { collector in
            let endpoint = URL(string: collector.baseURL + "/v1/traces")!
            let sent = Mutex<String?>(nil)
            try await withLoupe(configure: { configuration, _ in
                configuration.telemetry = .init(otlpEndpoint: endpoint, captureContent: false, serviceName: "gateway")
            }) { loupe in
                let reply = try await loupe.request(
                    "/v1/chat/completions", body: chatBody(content: "private words"),
                    headers: [("traceparent", "00-\(callerTrace)-00f067aa0ba902b7-01")]
                )
                #expect(reply.status == 200)
                sent.withLock { $0 = reply.traceID }
                // The exporter's counts are on /metrics once its batch (at most a second) has gone.
                let scrape = try await Self.scrape(loupe, until: "loupe_otlp_spans_exported_total 1")
                #expect(scrape.contains("loupe_otlp_spans_exported_total 1") && scrape.contains("loupe_otlp_spans_dropped_total 0"))
            }
            // The exporting Loupe has shut down gracefully: its last batch was sent before it stopped.
            let loupeTraceID = try #require(sent.withLock { $0 })
            let spans = try #require(try await collector.get("/api/spans?otel_trace_id=\(callerTrace)").json?["spans"])
            guard case .array(let items) = spans, let span = items.first else { Issue.record("no span arrived: \(spans)"); return }
            #expect(items.count == 1)
            #expect(span["name"] == "chat gpt-4o-mini")
            #expect(span["kind"] == 3)
            #expect(span["parent_span_id"] == "00f067aa0ba902b7")
            #expect(span["resource"]?["service.name"] == "gateway")
            let attributes = try #require(span["attributes"])
            #expect(attributes["gen_ai.operation.name"] == "chat")
            #expect(attributes["gen_ai.request.model"] == "gpt-4o-mini")
            #expect(attributes["loupe.trace_id"] == .string(loupeTraceID))
            #expect(attributes["gen_ai.usage.input_tokens"]?.intValue != nil)
            #expect(attributes["loupe.cost_usd"]?.stringValue == nil && attributes["loupe.cost_usd"] != nil)
            #expect(attributes["gen_ai.input.messages"] == nil)
            #expect(!String(describing: attributes).contains("private words"))
        }
    }

    @Test func aBatchTheCollectorCannotTakeYetIsSentAgain() async throws {
        // A collector that is busy once (503, come back at once), then takes the batch.
        let received = Mutex(0)
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            let count = received.withLock { $0 += 1; return $0 }
            return count == 1 ? Response(status: .serviceUnavailable, headers: [.retryAfter: "0"]) : Response(status: .ok)
        }
        try await Application(router: router).test(.live) { collector in
            let endpoint = URL(string: "http://127.0.0.1:\(collector.port!)/v1/traces")!
            try await withLoupe(configure: { configuration, _ in
                configuration.telemetry = .init(otlpEndpoint: endpoint)
            }) { loupe in
                #expect(try await loupe.request("/v1/chat/completions", body: chatBody()).status == 200)
                let scrape = try await Self.scrape(loupe, until: "loupe_otlp_spans_exported_total 1")
                #expect(scrape.contains("loupe_otlp_spans_exported_total 1") && scrape.contains("loupe_otlp_spans_dropped_total 0"))
            }
            #expect(received.withLock { $0 } == 2)
        }
    }
}
