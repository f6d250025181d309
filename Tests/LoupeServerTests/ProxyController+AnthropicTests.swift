import Foundation
import LoupeConfig
import LoupeCore
import LoupeTestSupport
import NIOHTTP1
import Testing

/// Claude through the OpenAI API: a real Loupe translating to the fake upstream's Anthropic Messages route.
@Suite struct ProxyControllerAnthropicTests {
    static func withClaude(_ body: @escaping @Sendable (LoupeHarness) async throws -> Void) async throws {
        try await withLoupe(configure: { configuration, upstream in
            configuration.providers["anthropic"] = .init(kind: .anthropic, baseURL: upstream.baseURL, apiKey: "sk-provider")
            configuration.models["claude"] = .init(provider: "anthropic", upstreamModel: "claude-sonnet-4-5")
        }, body)
    }

    /// Cache reads and writes the fake reports, so the price covers every kind of input token.
    static let cacheHeaders = [("x-fake-cache-read-tokens", "2"), ("x-fake-cache-write-tokens", "1")]

    @Test func aChatCallIsAnsweredAsAChatCompletionWithCacheTokensPriced() async throws {
        try await Self.withClaude { loupe in
            let body = #"{"model":"claude","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello to the test"}],"temperature":0.2}"#
            let reply = try await loupe.request("/v1/chat/completions", body: body, headers: Self.cacheHeaders)
            #expect(reply.status == 200, "\(reply.body)")
            let json = try #require(reply.json)
            #expect(json["object"] == .string("chat.completion") && json["model"] == .string("claude-sonnet-4-5"))
            #expect(json["choices"]?[0]?["message"]?["content"] == .string("Hello from the fake upstream."))
            #expect(json["choices"]?[0]?["finish_reason"] == .string("stop"))
            #expect(json["usage"]?["prompt_tokens"] == .number(7) && json["usage"]?["cache_creation_input_tokens"] == .number(1))

            let sent = try #require(loupe.upstream.requests().last)
            #expect(sent.path == "/v1/messages")
            #expect(sent.headers["x-api-key"] == "sk-provider" && sent.headers["anthropic-version"] == "2023-06-01")
            #expect(sent.headers["authorization"] == nil)
            let messages = try #require(JSONValue.parse(sent.body))
            #expect(messages["model"] == .string("claude-sonnet-4-5") && messages["system"] == .string("Be brief."))
            #expect(messages["max_tokens"] == .number(4096) && messages["temperature"] == .number(0.2))

            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["provider"] == .string("anthropic") && trace["upstream_model"] == .string("claude-sonnet-4-5"))
            #expect(trace["input_tokens"] == .number(7) && trace["cached_input_tokens"] == .number(2))
            #expect(trace["cache_write_input_tokens"] == .number(1) && trace["output_tokens"] == .number(5))
            // (4 uncached × $3 + 2 cache reads × $0.30 + 1 cache write × $3.75 + 5 × $15) per million tokens
            #expect(trace["cost_usd"] == .number(0.00009135))
        }
    }

    @Test func aStreamComesBackAsOpenAIChunksWithUsageForTheCost() async throws {
        try await Self.withClaude { loupe in
            let body = #"{"model":"claude","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello to the test"}]}"#
            let reply = try await loupe.request("/v1/chat/completions", body: body, headers: Self.cacheHeaders)
            #expect(reply.status == 200)
            let events = reply.body.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { JSONValue.parse($0) }
            #expect(chunks.count == events.count - 1 && chunks.allSatisfy { $0["object"] == .string("chat.completion.chunk") })
            let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "Hello from the fake upstream.")
            #expect(chunks.last?["usage"]?["completion_tokens"] == .number(5))

            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["stream"] == .bool(true) && trace["ttft_ms"] != .null)
            #expect(trace["cache_write_input_tokens"] == .number(1) && trace["output_tokens"] == .number(5))
            // (2 uncached × $3 + 2 cache reads × $0.30 + 1 cache write × $3.75 + 5 × $15) per million tokens
            #expect(trace["cost_usd"] == .number(0.00008535))
            #expect(trace["response"]?["choices"]?[0]?["message"]?["content"] == .string("Hello from the fake upstream."))
        }
    }

    @Test func aStreamWithoutIncludeUsageStillGetsPricedButShowsNoUsageChunk() async throws {
        try await Self.withClaude { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(model: "claude", extra: #","stream":true"#))
            #expect(reply.status == 200 && !reply.body.contains("\"usage\""))
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["input_tokens"] == .number(5) && trace["output_tokens"] == .number(5))
            #expect(trace["cost_usd"] == .number(0.00009))
        }
    }

    @Test func anthropicErrorsAndUntranslatableRequestsComeBackInOpenAIsShape() async throws {
        try await Self.withClaude { loupe in
            let limited = try await loupe.request(
                "/v1/chat/completions", body: chatBody(model: "claude"), headers: [("x-fake-status", "429"), ("x-fake-retry-after", "7")]
            )
            #expect(limited.status == 429 && limited.headers.first(name: "retry-after") == "7")
            #expect(limited.json?["error"]?["type"] == .string("requests") && limited.json?["error"]?["code"] == .string("rate_limit_exceeded"))

            let hot = try await loupe.request("/v1/chat/completions", body: chatBody(model: "claude", extra: #","temperature":1.5"#))
            #expect(hot.status == 400 && hot.json?["error"]?["message"]?.stringValue?.contains("0 to 1") == true)
            let embeddings = try await loupe.request("/v1/embeddings", body: #"{"model":"claude","input":"hi"}"#)
            #expect(embeddings.status == 400 && embeddings.json?["error"]?["code"] == .string("unsupported_endpoint"))
            // Neither untranslatable call reached the provider.
            #expect(loupe.upstream.requests().count == 1)
        }
    }
}
