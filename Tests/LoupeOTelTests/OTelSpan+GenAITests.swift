import Foundation
import LoupeCore
import LoupeOTel
import Testing

@Suite struct OTelSpanGenAITests {
    @Test func currentGenAIConventionsMap() throws {
        let span = genAISpan(attributes: [
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500,
            "gen_ai.response.id": "chatcmpl-1", "gen_ai.request.temperature": 0.2, "user.id": "ada",
        ])
        let (trace, names) = try #require(span.genAITrace())
        #expect(trace.endpoint == "otel:chat")
        #expect(trace.provider == "openai")
        #expect(trace.model == "gpt-4o-mini" && trace.upstreamModel == "gpt-4o-mini-2024-07-18")
        #expect(trace.usage.inputTokens == 1000 && trace.usage.outputTokens == 500)
        #expect(trace.latencyMs == 1500)
        #expect(trace.createdAt == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(trace.status == .error && trace.error == "rate limited")
        #expect(trace.user == "ada")
        #expect(trace.metadata?["otel_trace_id"] == .string(span.traceID))
        #expect(trace.metadata?["otel_span_id"] == .string(span.spanID))
        #expect(trace.metadata?["otel_parent_span_id"] == "aaaaaaaaaaaaaaaa")
        #expect(trace.metadata?["gen_ai.response.id"] == "chatcmpl-1")
        #expect(trace.metadata?["service_name"] == "support-bot")
        #expect(names == ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"])
    }

    @Test func deprecatedGenAIAttributesMap() throws {
        let span = genAISpan(attributes: [
            "gen_ai.system": "anthropic", "gen_ai.request.model": "claude-3-5-haiku", "gen_ai.usage.prompt_tokens": 30, "gen_ai.usage.completion_tokens": 7,
        ])
        let (trace, _) = try #require(span.genAITrace())
        #expect(trace.provider == "anthropic")
        #expect(trace.usage.inputTokens == 30 && trace.usage.outputTokens == 7)
        #expect(trace.endpoint == "otel:chat")
    }

    @Test func openInferenceAttributesMap() throws {
        let span = genAISpan(attributes: [
            "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.provider": "openai",
            "llm.token_count.prompt": 11, "llm.token_count.completion": 4, "input.value": "hi", "output.value": "hello",
        ])
        let (trace, names) = try #require(span.genAITrace())
        #expect(trace.endpoint == "otel:llm")
        #expect(trace.model == "gpt-4o" && trace.provider == "openai")
        #expect(trace.usage.inputTokens == 11 && trace.usage.outputTokens == 4)
        #expect(trace.request == "hi" && trace.response == "hello")
        #expect(names.compactMap { $0 } == ["gpt-4o"])
    }

    @Test func aSpanWithoutModelOrProviderIsNotGenAI() {
        let span = genAISpan(name: "GET /search", attributes: ["http.request.method": "GET", "gen_ai.operation.name": "execute_tool"])
        #expect(!span.isGenAI)
        #expect(span.genAITrace() == nil)
    }

    @Test func theSameSpanAlwaysMakesTheSameTraceID() throws {
        let first = try #require(genAISpan().genAITrace()).trace.id
        let again = try #require(genAISpan().genAITrace()).trace.id
        let other = try #require(genAISpan(spanID: "0000000000000001").genAITrace()).trace.id
        #expect(first == again)
        #expect(first != other)
        #expect(first.count == 36 && Array(first)[14] == "7")
    }
}
