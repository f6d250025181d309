import AsyncHTTPClient
import LoupeCore
import LoupeTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The fake upstream's Anthropic route, `POST /v1/messages`, over a real socket.
@Suite struct FakeAnthropicTests {
    typealias Reply = FakeUpstreamReply

    /// One server-sent event as Anthropic writes it: the `event:` name and the parsed `data:`.
    struct Event {
        var name: String
        var data: JSONValue
    }

    static let anthropicHeaders = [("x-api-key", "sk-ant-test"), ("anthropic-version", "2023-06-01")]

    /// 10 words: 5 in the system prompt, 5 in the user message.
    static let greeting = #"""
        {"model": "claude-sonnet-4-5", "max_tokens": 256, "system": "You are a helpful assistant.",
         "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hello to the fake."}]}]
        """#

    static func body(_ extra: String = "") -> String { greeting + extra + "}" }

    static func post(
        _ upstream: RunningFakeUpstream, path: String = "/messages", body: String, headers: [(String, String)] = anthropicHeaders
    ) async throws -> Reply {
        try await Reply.post(upstream, path: path, body: body, headers: headers)
    }

    /// Splits an event-stream body into its events; fails the test on an event without JSON data.
    static func events(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Event] {
        try body.split(separator: "\n\n").map { block in
            var name = ""
            var data: JSONValue?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = JSONValue.parse(line.dropFirst(6)) }
            }
            return Event(name: name, data: try #require(data, "no JSON data in \(block)", sourceLocation: sourceLocation))
        }
    }

    /// The Anthropic error an answer carries: its type and message.
    static func anthropicError(_ reply: Reply) -> (type: String?, message: String?) {
        let json = reply.json
        #expect(json?["type"] == .string("error"))
        #expect(json?["error"]?["type"]?.stringValue != nil)
        return (json?["error"]?["type"]?.stringValue, json?["error"]?["message"]?.stringValue)
    }

    @Test func answersAMessageWithWordCountsAsUsage() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let reply = try await Self.post(upstream, body: Self.body())
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type") == "application/json")
            let message = try #require(reply.json)
            #expect(message["id"]?.stringValue?.hasPrefix("msg_01") == true)
            #expect(message["type"] == .string("message"))
            #expect(message["role"] == .string("assistant"))
            #expect(message["model"] == .string("claude-sonnet-4-5"))
            #expect(message["content"] == .array([.object(["type": .string("text"), "text": .string("Hello from the fake upstream.")])]))
            #expect(message["stop_reason"] == .string("end_turn"))
            #expect(message["stop_sequence"] == .null)
            #expect(message["usage"] == .object([
                "input_tokens": .number(10), "output_tokens": .number(5),
                "cache_creation_input_tokens": .number(0), "cache_read_input_tokens": .number(0),
            ]))
            let recorded = try #require(upstream.requests().first)
            #expect(recorded.path == "/v1/messages")
            #expect(recorded.headers["x-api-key"] == "sk-ant-test")
            #expect(recorded.headers["anthropic-version"] == "2023-06-01")
        }
    }

    @Test func choosesTheReplyAsTheChatRouteDoes() async throws {
        let scripted = [FakeScriptedReply(when: "capital of france", reply: "Paris.")]
        try await FakeOpenAIUpstream.withRunning(.init(scriptedReplies: scripted)) { upstream in
            let fromHeader = try await Self.post(upstream, body: Self.body(), headers: Self.anthropicHeaders + [("x-fake-reply", "Bonjour tout le monde")])
            #expect(fromHeader.json?["content"]?.arrayValue?.first?["text"] == .string("Bonjour tout le monde"))
            #expect(fromHeader.json?["usage"]?["output_tokens"] == .number(4))

            let directive = #"{"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Grade this. [[fake-reply: PASS]]"}]}"#
            #expect(try await Self.post(upstream, body: directive).json?["content"]?.arrayValue?.first?["text"] == .string("PASS"))

            let question = #"{"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "What is the capital of France?"}]}"#
            #expect(try await Self.post(upstream, body: question).json?["content"]?.arrayValue?.first?["text"] == .string("Paris."))
        }
    }

    @Test func streamsAnthropicEventsWordByWord() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let reply = try await Self.post(upstream, body: Self.body(#", "stream": true"#))
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            let events = try Self.events(reply.body)
            #expect(events.map { $0.name } == [
                "message_start", "content_block_start", "ping",
                "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop",
            ])
            // Every data object names its own type, as Anthropic's do.
            #expect(events.allSatisfy { $0.data["type"] == .string($0.name) })
            let start = try #require(events.first?.data["message"])
            #expect(start["content"] == .array([]))
            #expect(start["stop_reason"] == .null)
            #expect(start["usage"]?["input_tokens"] == .number(10))
            #expect(events[1].data["content_block"] == .object(["type": .string("text"), "text": .string("")]))
            let text = events.filter { $0.name == "content_block_delta" }.compactMap { $0.data["delta"]?["text"]?.stringValue }.joined()
            #expect(text == "Hello from the fake upstream.")
            #expect(events.filter { $0.name == "content_block_delta" }.allSatisfy { $0.data["delta"]?["type"] == .string("text_delta") })
            let delta = events[9].data
            #expect(delta["delta"]?["stop_reason"] == .string("end_turn"))
            #expect(delta["usage"] == .object(["output_tokens": .number(5)]))
            #expect(upstream.streamOutcomes().completed == 1)
        }
    }

    @Test func answersAToolUseWhenAsked() async throws {
        let tools = #", "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}]"#
        try await FakeOpenAIUpstream.withRunning { upstream in
            let headers = Self.anthropicHeaders + [("x-fake-tool-call", "get_weather")]
            let message = try #require(try await Self.post(upstream, body: Self.body(tools), headers: headers).json)
            #expect(message["stop_reason"] == .string("tool_use"))
            let block = try #require(message["content"]?.arrayValue?.first)
            #expect(message["content"]?.arrayValue?.count == 1)
            #expect(block["type"] == .string("tool_use"))
            #expect(block["id"]?.stringValue?.hasPrefix("toolu_") == true)
            #expect(block["name"] == .string("get_weather"))
            #expect(block["input"] == .object(["city": .string("Paris")]))

            let streamed = try Self.events(try await Self.post(upstream, body: Self.body(tools + #", "stream": true"#), headers: headers).body)
            let startBlock = try #require(streamed.first { $0.name == "content_block_start" }?.data["content_block"])
            #expect(startBlock["type"] == .string("tool_use"))
            #expect(startBlock["name"] == .string("get_weather"))
            #expect(startBlock["input"] == .object([:]))
            let deltas = streamed.filter { $0.name == "content_block_delta" }
            #expect(deltas.count == 3)
            #expect(deltas.allSatisfy { $0.data["delta"]?["type"] == .string("input_json_delta") })
            let input = deltas.compactMap { $0.data["delta"]?["partial_json"]?.stringValue }.joined()
            #expect(JSONValue.parse(input) == .object(["city": .string("Paris")]))
            #expect(streamed.first { $0.name == "message_delta" }?.data["delta"]?["stop_reason"] == .string("tool_use"))

            // Without tools in the request the header changes nothing.
            let plain = try await Self.post(upstream, body: Self.body(), headers: headers)
            #expect(plain.json?["stop_reason"] == .string("end_turn"))
        }
    }

    @Test func reportsPromptCacheReadsAndWritesApartFromTheInput() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let headers = Self.anthropicHeaders + [("x-fake-cache-read-tokens", "4"), ("x-fake-cache-write-tokens", "3")]
            let usage = try await Self.post(upstream, body: Self.body(), headers: headers).json?["usage"]
            #expect(usage == .object([
                "input_tokens": .number(3), "cache_read_input_tokens": .number(4), "cache_creation_input_tokens": .number(3),
                "output_tokens": .number(5),
            ]))
            let streamed = try Self.events(try await Self.post(upstream, body: Self.body(#", "stream": true"#), headers: headers).body)
            let startUsage = streamed.first?.data["message"]?["usage"]
            #expect(startUsage?["input_tokens"] == .number(3))
            #expect(startUsage?["cache_read_input_tokens"] == .number(4))
            #expect(startUsage?["cache_creation_input_tokens"] == .number(3))
        }
    }

    @Test func requiresAnAPIKeyHeader() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let missing = try await Self.post(upstream, body: Self.body(), headers: [("anthropic-version", "2023-06-01")])
            #expect(missing.status == 401)
            let error = Self.anthropicError(missing)
            #expect(error.type == "authentication_error")
            #expect(error.message == "x-api-key header is required")
            // An OpenAI key does not stand in for Anthropic's header.
            let bearer = try await Self.post(upstream, body: Self.body(), headers: [("anthropic-version", "2023-06-01"), ("authorization", "Bearer sk-test")])
            #expect(bearer.status == 401)
        }
    }

    @Test func comparesTheKeyWhenOneIsRequired() async throws {
        try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-ant-right")) { upstream in
            let wrong = try await Self.post(upstream, body: Self.body(), headers: [("x-api-key", "sk-ant-wrong"), ("anthropic-version", "2023-06-01")])
            #expect(wrong.status == 401)
            let error = Self.anthropicError(wrong)
            #expect(error.type == "authentication_error")
            #expect(error.message == "invalid x-api-key")
            let right = try await Self.post(upstream, body: Self.body(), headers: [("x-api-key", "sk-ant-right"), ("anthropic-version", "2023-06-01")])
            #expect(right.status == 200)
        }
    }

    @Test func requiresTheVersionHeaderAndTheBodyFields() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let noVersion = try await Self.post(upstream, body: Self.body(), headers: [("x-api-key", "sk-ant-test")])
            #expect(noVersion.status == 400)
            let versionError = Self.anthropicError(noVersion)
            #expect(versionError.type == "invalid_request_error")
            #expect(versionError.message?.contains("anthropic-version") == true)

            let noMaxTokens = try await Self.post(upstream, body: #"{"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "Hi"}]}"#)
            #expect(noMaxTokens.status == 400)
            let maxTokensError = Self.anthropicError(noMaxTokens)
            #expect(maxTokensError.type == "invalid_request_error")
            #expect(maxTokensError.message?.contains("max_tokens") == true)

            let noModel = try await Self.post(upstream, body: #"{"max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}"#)
            #expect(noModel.status == 400)
            #expect(Self.anthropicError(noModel).message?.contains("model") == true)

            let noMessages = try await Self.post(upstream, body: #"{"model": "claude-sonnet-4-5", "max_tokens": 10}"#)
            #expect(noMessages.status == 400)
            #expect(Self.anthropicError(noMessages).message?.contains("messages") == true)

            let notJSON = try await Self.post(upstream, body: "{not json")
            #expect(notJSON.status == 400)
            #expect(Self.anthropicError(notJSON).type == "invalid_request_error")
        }
    }

    @Test func fakeStatusAnswersInAnthropicsShape() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            let overloaded = try await Self.post(upstream, body: Self.body(), headers: Self.anthropicHeaders + [("x-fake-status", "529")])
            #expect(overloaded.status == 529)
            #expect(Self.anthropicError(overloaded).type == "overloaded_error")
            #expect(overloaded.json?["request_id"]?.stringValue?.hasPrefix("req_") == true)
            let limited = try await Self.post(
                upstream, body: Self.body(), headers: Self.anthropicHeaders + [("x-fake-status", "429"), ("x-fake-retry-after", "7")]
            )
            #expect(limited.status == 429)
            #expect(Self.anthropicError(limited).type == "rate_limit_error")
            #expect(limited.headers.first(name: "retry-after") == "7")
            let server = try await Self.post(upstream, body: Self.body(), headers: Self.anthropicHeaders + [("x-fake-status", "500")])
            #expect(Self.anthropicError(server).type == "api_error")
            let nonsense = try await Self.post(upstream, body: Self.body(), headers: Self.anthropicHeaders + [("x-fake-status", "200")])
            #expect(nonsense.status == 400)
            #expect(Self.anthropicError(nonsense).message?.contains("x-fake-status") == true)
        }
    }

    @Test func cutsAndSlowsStreamsAsTold() async throws {
        try await FakeOpenAIUpstream.withRunning { upstream in
            var request = HTTPClientRequest(url: upstream.baseURL + "/messages")
            request.method = .POST
            for (name, value) in Self.anthropicHeaders + [("x-fake-cut-after", "3")] { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: Self.body(#", "stream": true"#)))
            var received = ""
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                for try await buffer in response.body { received += String(buffer: buffer) }
            } catch {
                // The fake breaks the connection mid-body: the client sees an error after the first events.
            }
            #expect(received.contains("event: message_start"))
            #expect(!received.contains("event: message_stop"))
            #expect(upstream.streamOutcomes().broken == 1)

            let clock = ContinuousClock()
            let started = clock.now
            let slow = try await Self.post(upstream, body: Self.body(#", "stream": true"#), headers: Self.anthropicHeaders + [("x-fake-chunk-delay-ms", "20")])
            #expect(try Self.events(slow.body).count == 11)
            // 11 events, 10 pauses between them.
            #expect(clock.now - started >= .milliseconds(200))
        }
    }

    @Test func openAIRoutesKeepTheirOwnKeyAndShape() async throws {
        try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-right")) { upstream in
            let chat = #"{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}"#
            let withAnthropicKey = try await Self.post(upstream, path: "/chat/completions", body: chat, headers: [("x-api-key", "sk-right")])
            #expect(withAnthropicKey.status == 401)
            #expect(withAnthropicKey.json?["error"]?["code"] == .string("invalid_api_key"))
            #expect(withAnthropicKey.json?["type"] == nil)
            let withBearer = try await Self.post(upstream, path: "/chat/completions", body: chat, headers: [("authorization", "Bearer sk-right")])
            #expect(withBearer.status == 200)
            #expect(withBearer.json?["object"] == .string("chat.completion"))
            // Anthropic's route does not take the OpenAI header.
            let messages = try await Self.post(upstream, body: Self.body(), headers: [("authorization", "Bearer sk-right"), ("anthropic-version", "2023-06-01")])
            #expect(messages.status == 401)
        }
    }
}
