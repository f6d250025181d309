import LoupeCore
import LoupeTestSupport
import NIOHTTP1
import Testing

/// The fake's fast lane answers plain calls on the event loop; its answers must be the responder's own.
@Suite struct FakeFastLaneTests {
    typealias Reply = FakeUpstreamReply

    static let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello to the benchmark"}]}"#
    static let streamedChat = #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}"#

    static func post(_ upstream: RunningFakeUpstream, _ path: String, body: String, headers: [(String, String)] = []) async throws -> Reply {
        try await Reply.post(upstream, path: path, body: body, headers: headers)
    }

    /// The answer without what changes from call to call.
    static func stable(_ value: JSONValue?) -> JSONValue? {
        guard case .object(var members)? = value else { return value }
        members["id"] = nil
        members["created"] = nil
        return .object(members)
    }

    /// The data of each event, in order, `[DONE]` as a string.
    static func events(_ body: String) -> [JSONValue?] {
        body.split(separator: "\n\n").map { block in
            let data = block.dropFirst("data: ".count)
            return data == "[DONE]" ? .string("[DONE]") : stable(JSONValue.parse(data))
        }
    }

    @Test func answersPlainCallsAsTheResponderDoes() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            // `x-fake-cached-tokens: 0` changes nothing in the answer but sends the call to the responder.
            let slowLane = [("x-fake-cached-tokens", "0")]
            for (path, body) in [("/chat/completions", Self.chat), ("/embeddings", #"{"model":"text-embedding-3-small","input":"hello there"}"#)] {
                let fast = try await Self.post(upstream, path, body: body)
                let routed = try await Self.post(upstream, path, body: body, headers: slowLane)
                #expect(fast.answeredByFastLane)
                #expect(!routed.answeredByFastLane)
                #expect(fast.status == 200)
                #expect(fast.headers.first(name: "content-type") == routed.headers.first(name: "content-type"))
                #expect(fast.headers.first(name: "server") == "fake-openai")
                #expect(Self.stable(fast.json) == Self.stable(routed.json))
                #expect(fast.json?["usage"]?["prompt_tokens"] != nil)
            }

            let fast = try await Self.post(upstream, "/chat/completions", body: Self.streamedChat)
            let routed = try await Self.post(upstream, "/chat/completions", body: Self.streamedChat, headers: slowLane)
            #expect(fast.answeredByFastLane)
            #expect(fast.headers.first(name: "content-type") == "text/event-stream; charset=utf-8")
            #expect(fast.headers.first(name: "transfer-encoding") == "chunked")
            let events = Self.events(fast.body)
            #expect(events.count == 9)
            #expect(events == Self.events(routed.body))
            #expect(upstream.streamOutcomes().completed == 2)
        }
    }

    @Test func recordsWhatItAnswers() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let reply = try await Self.post(upstream, "/chat/completions", body: Self.chat, headers: [("x-loupe-user", "ada")])
            #expect(reply.answeredByFastLane)
            let recorded = try #require(upstream.requests().first)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/v1/chat/completions")
            #expect(recorded.headers["x-loupe-user"] == "ada")
            #expect(recorded.body == Self.chat)
        }
    }

    @Test func leavesControlledAndRefusedCallsToTheResponder() async throws {
        try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-right")) { upstream in
            let refused = try await Self.post(upstream, "/chat/completions", body: Self.chat, headers: [("authorization", "Bearer sk-wrong")])
            #expect(refused.status == 401)
            #expect(!refused.answeredByFastLane)

            let failed = try await Self.post(upstream, "/chat/completions", body: Self.chat, headers: [("authorization", "Bearer sk-right"), ("x-fake-status", "503")])
            #expect(failed.status == 503)

            let broken = try await Self.post(upstream, "/chat/completions", body: "{not json", headers: [("authorization", "Bearer sk-right")])
            #expect(broken.status == 400)
            #expect(broken.json?["error"]?["type"] == .string("invalid_request_error"))

            // Calls after those, on the same kept-alive connections, are still answered, each with its own answer.
            for _ in 0..<3 {
                let reply = try await Self.post(upstream, "/chat/completions", body: Self.chat, headers: [("authorization", "Bearer sk-right")])
                #expect(reply.status == 200)
                #expect(reply.json?["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Hello from the fake upstream."))
            }
        }
    }
}

extension FakeUpstreamReply {
    /// Hummingbird's responder stamps a `Date` header on its answers; the fast lane does not.
    var answeredByFastLane: Bool { headers.first(name: "date") == nil }
}
