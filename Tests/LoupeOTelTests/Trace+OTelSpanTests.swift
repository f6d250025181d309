import Foundation
import LoupeCore
import LoupeOTel
import Testing

@Suite struct TraceOTelSpanTests {
    static let request = #"{"model":"gpt-4o-mini","temperature":0.3,"max_tokens":64,"messages":[{"role":"user","content":"secret question"}]}"#
    static let response = #"{"id":"chatcmpl-9","model":"gpt-4o-mini-2024-07-18","choices":[{"message":{"role":"assistant","content":"secret answer"},"finish_reason":"stop"}]}"#

    func trace(metadata: [String: JSONValue]? = nil) -> Trace {
        Trace(
            id: "01900000-0000-7000-8000-0000000000ab", createdAt: Date(timeIntervalSince1970: 1_700_000_000),
            endpoint: "/v1/chat/completions", provider: "openai", model: "gpt-4o-mini", upstreamModel: "gpt-4o-mini-2024-07-18",
            latencyMs: 250, usage: TokenUsage(inputTokens: 10, outputTokens: 5), cost: USD(picos: 4_500_000),
            metadata: metadata, request: Self.request, response: Self.response
        )
    }

    @Test func aProxiedCallBecomesAGenAIClientSpan() {
        let span = trace().otelSpan(captureContent: false)
        #expect(span.name == "chat gpt-4o-mini")
        #expect(span.kind == 3)
        #expect(span.traceID == "019000000000700080000000000000ab")
        #expect(span.spanID == "80000000000000ab")
        #expect(span.parentSpanID == nil)
        #expect(span.endTimeUnixNano - span.startTimeUnixNano == 250_000_000)
        let a = span.attributes
        #expect(a["gen_ai.operation.name"] == "chat")
        #expect(a["gen_ai.provider.name"] == "openai")
        #expect(a["gen_ai.request.model"] == "gpt-4o-mini")
        #expect(a["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18")
        #expect(a["gen_ai.response.id"] == "chatcmpl-9")
        #expect(a["gen_ai.response.finish_reasons"] == .array(["stop"]))
        #expect(a["gen_ai.usage.input_tokens"] == 10 && a["gen_ai.usage.output_tokens"] == 5)
        #expect(a["gen_ai.request.temperature"] == 0.3 && a["gen_ai.request.max_tokens"] == 64)
        #expect(a["loupe.cost_usd"] == .number(0.0000045))
        #expect(a["loupe.trace_id"] == "01900000-0000-7000-8000-0000000000ab")
        #expect(a["gen_ai.input.messages"] == nil && a["gen_ai.output.messages"] == nil)
    }

    @Test func contentIsExportedOnlyWhenCaptured() throws {
        let span = trace().otelSpan(captureContent: true)
        let input = try #require(span.attributes["gen_ai.input.messages"]?.stringValue)
        let output = try #require(span.attributes["gen_ai.output.messages"]?.stringValue)
        #expect(input.contains("secret question"))
        #expect(output.contains("secret answer"))
    }

    @Test func anIncomingTraceparentMakesTheSpanJoinTheCallersTrace() {
        let span = trace(metadata: ["otel_trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "otel_parent_span_id": "00f067aa0ba902b7"])
            .otelSpan(captureContent: false)
        #expect(span.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(span.parentSpanID == "00f067aa0ba902b7")
    }
}
