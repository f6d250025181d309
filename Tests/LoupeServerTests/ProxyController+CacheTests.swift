import Foundation
import LoupeConfig
import LoupeCore
import LoupeTestSupport
import NIOHTTP1
import Testing

/// The exact-match response cache through a real Loupe and the fake upstream.
@Suite struct ProxyControllerCacheTests {
    static func withCachedModel(_ body: @escaping @Sendable (LoupeHarness) async throws -> Void) async throws {
        try await withLoupe(configure: { configuration, _ in
            configuration.models["gpt-4o-mini"] = .init(deployments: [.init(provider: "fake")], cacheTTLSeconds: 600)
        }, body)
    }

    @Test func aRepeatedRequestIsAnsweredFromTheCacheWithTheCostSaved() async throws {
        try await Self.withCachedModel { loupe in
            let first = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","user":"ada""#))
            #expect(first.status == 200 && first.headers.first(name: "x-loupe-cache") == "MISS")
            // The same question from another user, with its keys in another order: the same answer.
            let body = #"{"messages":[{"content":"Say hello to the test","role":"user"}],"user":"grace","model":"gpt-4o-mini"}"#
            let second = try await loupe.request("/v1/chat/completions", body: body)
            #expect(second.status == 200 && second.headers.first(name: "x-loupe-cache") == "HIT")
            #expect(second.body == first.body && second.headers.first(name: "content-type") == first.headers.first(name: "content-type"))
            #expect(loupe.upstream.requests().count == 1)

            let hit = try await loupe.trace(try #require(second.traceID))
            #expect(hit["cache_hit"] == .bool(true) && hit["status"] == .string("ok") && hit["user"] == .string("grace"))
            #expect(hit["cost_usd"] == .number(0) && hit["cost_saved_usd"] == .number(0.00000375))
            #expect(hit["input_tokens"] == .null && hit["response"]?["choices"] != nil)
            let miss = try await loupe.trace(try #require(first.traceID))
            #expect(miss["cache_hit"] == .bool(false) && miss["cost_usd"] == .number(0.00000375))

            let other = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","temperature":0.5"#))
            #expect(other.headers.first(name: "x-loupe-cache") == "MISS" && loupe.upstream.requests().count == 2)
        }
    }

    @Test func aStreamIsReplayedAsAStream() async throws {
        try await Self.withCachedModel { loupe in
            let first = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#))
            #expect(first.status == 200 && first.headers.first(name: "x-loupe-cache") == "MISS")
            // The trace is recorded (and the answer kept) once the stream has ended.
            _ = try await loupe.trace(try #require(first.traceID))
            let second = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#))
            #expect(second.headers.first(name: "x-loupe-cache") == "HIT")
            #expect(second.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            #expect(second.body == first.body && second.body.hasSuffix("data: [DONE]\n\n"))
            let hit = try await loupe.trace(try #require(second.traceID))
            #expect(hit["stream"] == .bool(true) && hit["cache_hit"] == .bool(true) && hit["cost_saved_usd"] == .number(0.00000375))
            // A non-streamed request for the same answer is another entry: it must come back as JSON.
            let plain = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(plain.headers.first(name: "x-loupe-cache") == "MISS" && plain.json?["object"] == .string("chat.completion"))
        }
    }

    @Test func theRequestHeaderTurnsTheCacheOnOrOffAndSetsTheTTL() async throws {
        try await withLoupe { loupe in
            // Not cached by the model's config: only when the request asks.
            _ = try await loupe.request("/v1/chat/completions", body: chatBody())
            let plain = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(plain.headers.first(name: "x-loupe-cache") == nil && loupe.upstream.requests().count == 2)
            let asked = [("x-loupe-cache", "true"), ("x-loupe-cache-ttl", "1")]
            _ = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: asked)
            let hit = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: asked)
            #expect(hit.headers.first(name: "x-loupe-cache") == "HIT" && loupe.upstream.requests().count == 3)
            try await Task.sleep(for: .milliseconds(1100))
            let expired = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: asked)
            #expect(expired.headers.first(name: "x-loupe-cache") == "MISS" && loupe.upstream.requests().count == 4)

            let bad = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-loupe-cache", "maybe")])
            #expect(bad.status == 400 && bad.json?["error"]?["code"] == .string("invalid_header"))
        }
        try await Self.withCachedModel { loupe in
            for _ in 0..<2 { _ = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-loupe-cache", "false")]) }
            #expect(loupe.upstream.requests().count == 2)
        }
    }

    @Test func errorsAreNeverCached() async throws {
        try await Self.withCachedModel { loupe in
            let failed = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-status", "500")])
            #expect(failed.status == 500)
            let next = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(next.status == 200 && next.headers.first(name: "x-loupe-cache") == "MISS")
        }
    }
}
