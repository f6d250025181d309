import AsyncHTTPClient
import Foundation
import Logging
import LoupeConfig
import LoupeCore
import LoupeSQLite
import LoupeTestSupport
import NIOCore
import NIOHTTP1
import Testing

@Suite struct ProxyControllerTests {
    @Test(arguments: [true, false]) func nonStreamChatIsForwardedWithTheProviderKeyAndRecorded(relay: Bool) async throws {
        let store = try await withLoupe(relay: relay) { loupe in
            let reply = try await loupe.request(
                "/v1/chat/completions", body: chatBody(extra: #","user":"body-user""#),
                headers: [("x-loupe-user", "alice"), ("x-loupe-session", "s-1"), ("x-loupe-tags", "beta, web ,beta"), ("x-loupe-metadata", #"{"team":"search"}"#)]
            )
            #expect(reply.status == 200)
            #expect(reply.json?["object"] == .string("chat.completion"))
            let traceID = try #require(reply.traceID)
            // The exact price travels with the answer, as LiteLLM's x-litellm-response-cost does.
            #expect(reply.headers.first(name: "x-loupe-cost-usd") == "0.00000375")

            let received = try #require(loupe.upstream.requests().last)
            #expect(received.headers["authorization"] == "Bearer sk-provider")
            #expect(!received.headers.keys.contains { $0.hasPrefix("x-loupe-") })
            #expect(received.body == chatBody(extra: #","user":"body-user""#))

            let trace = try await loupe.trace(traceID)
            #expect(trace["model"] == .string("gpt-4o-mini"))
            #expect(trace["upstream_model"] == .string("gpt-4o-mini-2024-07-18"))
            #expect(trace["provider"] == .string("fake"))
            #expect(trace["input_tokens"] == .number(5))
            #expect(trace["output_tokens"] == .number(5))
            // 5 × $0.15 + 5 × $0.60 per million tokens
            #expect(trace["cost_usd"] == .number(0.00000375))
            #expect(trace["user"] == .string("alice"))
            #expect(trace["session_id"] == .string("s-1"))
            #expect(trace["tags"] == .array([.string("beta"), .string("web")]))
            #expect(trace["metadata"] == .object(["team": .string("search")]))
            #expect(trace["status"] == .string("ok"))
            #expect(trace["stream"] == .bool(false))
            #expect(trace["response"]?["choices"] != nil)
        }
        let stored = try #require(try await store.traces(matching: TraceQuery()).traces.first)
        #expect(stored.cost == USD("0.00000375"))
        #expect(stored.request?.contains("sk-") == false)
    }

    @Test func aliasSendsTheUpstreamModelName() async throws {
        try await withLoupe { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(model: "fast"))
            #expect(reply.status == 200)
            let sent = try #require(JSONValue.parse(loupe.upstream.requests().last?.body ?? ""))
            #expect(sent["model"] == .string("gpt-4o-mini"))
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["model"] == .string("fast"))
            #expect(trace["cost_usd"] == .number(0.00000375))
        }
    }

    @Test(arguments: [true, false]) func streamHidesTheUsageChunkLoupeAskedFor(relay: Bool) async throws {
        try await withLoupe(relay: relay) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(content: "one two three", extra: #","stream":true"#))
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            #expect(!reply.body.contains(#""choices":[]"#))
            #expect(!reply.body.contains(#""usage""#))  // neither the usage chunk nor the "usage":null it adds
            #expect(reply.body.hasSuffix("data: [DONE]\n\n"))
            let sent = try #require(JSONValue.parse(loupe.upstream.requests().last?.body ?? ""))
            #expect(sent["stream_options"]?["include_usage"] == .bool(true))

            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["stream"] == .bool(true))
            #expect(trace["input_tokens"] == .number(3))
            #expect(trace["output_tokens"] == .number(5))
            #expect(trace["cost_usd"] == .number(0.00000345))
            #expect(trace["ttft_ms"] != .null)
            #expect(trace["response"]?["choices"] == .array([.object([
                "index": .number(0), "finish_reason": .string("stop"),
                "message": .object(["role": .string("assistant"), "content": .string("Hello from the fake upstream.")]),
            ])]))
        }
    }

    @Test func streamKeepsTheUsageChunkTheClientAskedFor() async throws {
        try await withLoupe { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true,"stream_options":{"include_usage":true}"#))
            #expect(reply.body.contains(#""choices":[]"#))
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["input_tokens"] == .number(5))
        }
    }

    @Test(arguments: [true, false]) func streamChunksReachTheClientAsTheyArrive(relay: Bool) async throws {
        try await withLoupe(relay: relay) { loupe in
            let request = loupe.streamRequest(headers: [("x-fake-chunk-delay-ms", "150")])
            let started = ContinuousClock.now
            let response = try await loupe.http.execute(request, timeout: .seconds(30))
            var arrivals: [Duration] = []
            for try await _ in response.body { arrivals.append(ContinuousClock.now - started) }
            // Seven events 150 ms apart: a proxy that buffered would deliver them all at once.
            #expect(arrivals.count >= 5)
            #expect(try #require(arrivals.last) - arrivals[0] >= .milliseconds(600))
        }
    }

    @Test(arguments: [true, false]) func completionsAndEmbeddingsAreRecorded(relay: Bool) async throws {
        try await withLoupe(relay: relay) { loupe in
            let completion = try await loupe.request("/v1/completions", body: #"{"model":"gpt-3.5-turbo-instruct","prompt":"four words of prompt"}"#)
            #expect(completion.status == 200)
            let completionTrace = try await loupe.trace(try #require(completion.traceID))
            #expect(completionTrace["input_tokens"] == .number(4))
            #expect(completionTrace["endpoint"] == .string("/v1/completions"))

            let stream = try await loupe.request("/v1/completions", body: #"{"model":"gpt-3.5-turbo-instruct","prompt":"two words","stream":true}"#)
            #expect(!stream.body.contains(#""choices":[]"#))
            let streamTrace = try await loupe.trace(try #require(stream.traceID))
            #expect(streamTrace["input_tokens"] == .number(2))

            let embedding = try await loupe.request("/v1/embeddings", body: #"{"model":"text-embedding-3-small","input":["alpha beta","gamma"]}"#)
            #expect(embedding.status == 200)
            let embeddingTrace = try await loupe.trace(try #require(embedding.traceID))
            #expect(embeddingTrace["input_tokens"] == .number(3))
            // 3 tokens at $0.02 per million
            #expect(embeddingTrace["cost_usd"] == .number(0.00000006))
        }
    }

    @Test(arguments: [true, false]) func responsesTakeUsageFromTheCompletedEvent(relay: Bool) async throws {
        try await withLoupe(relay: relay) { loupe in
            let plain = try await loupe.request("/v1/responses", body: #"{"model":"gpt-4o","input":"three word input"}"#)
            #expect(plain.status == 200)
            let plainTrace = try await loupe.trace(try #require(plain.traceID))
            #expect(plainTrace["input_tokens"] == .number(3))
            #expect(plainTrace["output_tokens"] == .number(5))

            let stream = try await loupe.request("/v1/responses", body: #"{"model":"gpt-4o","input":"three word input","stream":true}"#)
            #expect(stream.body.contains("event: response.completed"))
            let streamTrace = try await loupe.trace(try #require(stream.traceID))
            #expect(streamTrace["status"] == .string("ok"))
            #expect(streamTrace["input_tokens"] == .number(3))
            #expect(streamTrace["output_tokens"] == .number(5))
            #expect(streamTrace["ttft_ms"] != .null)
            #expect(streamTrace["response"]?["status"] == .string("completed"))
            // 3 × $2.50 + 5 × $10 per million
            #expect(streamTrace["cost_usd"] == .number(0.0000575))
        }
    }

    @Test func modelsListsConfiguredModelsThenTheProviders() async throws {
        try await withLoupe { loupe in
            let reply = try await loupe.get("/v1/models")
            #expect(reply.status == 200)
            guard case .array(let models)? = reply.json?["data"] else {
                Issue.record(Comment(rawValue: "no data in \(reply.body)"))
                return
            }
            let ids = models.compactMap { $0["id"]?.stringValue }
            #expect(ids.first == "fast")
            #expect(ids.contains("gpt-4o-mini"))
        }
    }

    @Test func modelsPassesOnTheProvidersRefusal() async throws {
        try await withLoupe { configuration, _ in
            configuration.providers["fake"]?.apiKey = "sk-wrong"
        } _: { loupe in
            let reply = try await loupe.get("/v1/models")
            #expect(reply.status == 401)
            #expect(reply.json?["error"]?["code"] == .string("invalid_api_key"))
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["status"] == .string("error"))
            #expect(trace["status_code"] == .number(401))
        }
    }

    @Test func otherPathsPassThroughAndAreRecorded() async throws {
        try await withLoupe { loupe in
            let reply = try await loupe.get("/v1/files?purpose=batch")
            #expect(reply.status == 200)
            #expect(reply.json?["object"] == .string("list"))
            #expect(loupe.upstream.requests().last?.path == "/v1/files?purpose=batch")
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["endpoint"] == .string("/v1/files"))
            #expect(trace["provider"] == .string("fake"))
        }
    }

    @Test func unknownPriceGivesNullCostAndOneWarning() async throws {
        let messages = MessageLog()
        let logger = Logger(label: "loupe-test") { _ in CapturingLogHandler(log: messages) }
        try await withLoupe(logger: logger) { loupe in
            var ids: [String] = []
            for _ in 0..<3 {
                let reply = try await loupe.request("/v1/chat/completions", body: chatBody(model: "llama3.2"))
                #expect(reply.headers.first(name: "x-loupe-cost-usd") == nil)  // no price, no header: never a made-up 0
                ids.append(try #require(reply.traceID))
            }
            for id in ids {
                let trace = try await loupe.trace(id)
                #expect(trace["cost_usd"] == .null)
                #expect(trace["input_tokens"] == .number(5))
            }
        }
        let warnings = messages.all.filter { $0.contains("no price known") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("llama3.2") == true)
    }
}
