import LoupeCore
import LoupeProxy
import NIOCore
import Testing

@Suite struct AnthropicStreamTranslatorTests {
    /// An Anthropic stream as it comes over the wire: thinking, text, then two tool calls, with pings.
    static let textAndToolsStream = #"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":1024,"cache_read_input_tokens":2048,"output_tokens":2}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the weather."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Okay, let's check"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" the weather."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: content_block_start
        data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"tz\":\"PST\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":3}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """#

    static func events(_ text: String) -> [SSEEvent] {
        var parser = SSEParser()
        return parser.feed(ByteBuffer(string: text))
    }

    /// The data of each OpenAI event the translator wrote.
    static func datas(_ output: [String]) -> [String] {
        events(output.joined()).compactMap(\.data)
    }

    @Test func textAndToolStreamReassemblesIntoTheWholeAnswer() throws {
        var translator = AnthropicStreamTranslator(model: "claude-sonnet-4-5", created: 1_760_000_000, includeUsage: true)
        var output: [String] = []
        for event in Self.events(Self.textAndToolsStream) {
            #expect(!translator.finished)
            output += translator.translate(event)
        }
        #expect(translator.finished)
        #expect(translator.errorMessage == nil)
        #expect(translator.usage == TokenUsage(inputTokens: 3544, outputTokens: 89, cachedInputTokens: 2048, cacheWriteInputTokens: 1024))
        #expect(output.allSatisfy { $0.hasPrefix("data: ") && $0.hasSuffix("\n\n") })
        #expect(output.last == "data: [DONE]\n\n")

        var assembler = ChatStreamAssembler(kind: .chat, hideUsageChunk: false)
        let dispositions = Self.events(output.joined()).map { assembler.consume($0) }
        #expect(dispositions.allSatisfy { $0.forward })
        #expect(dispositions.filter { $0.firstToken }.count == 1)
        #expect(assembler.isComplete)
        // Cache writes travel as `cache_creation_input_tokens`, so the proxy prices them from the chunk alone.
        #expect(assembler.summary.usage == TokenUsage(inputTokens: 3544, outputTokens: 89, cachedInputTokens: 2048, cacheWriteInputTokens: 1024))
        #expect(assembler.summary.upstreamModel == "claude-sonnet-4-5")
        let response = try #require(JSONValue.parse(assembler.assembledResponse()))
        #expect(response["id"] == .string("chatcmpl-msg_014p7gG3wDgGV9EUtLvnow3U"))
        #expect(response["created"] == .number(1_760_000_000))
        let choice = try #require(response["choices"]?.arrayValue?.first)
        #expect(choice["finish_reason"] == .string("tool_calls"))
        #expect(choice["message"]?["content"] == .string("Okay, let's check the weather."))
        let calls = try #require(choice["message"]?["tool_calls"]?.arrayValue)
        #expect(calls == [
            .object([
                "id": .string("toolu_01T1x1fJ34qAmk2tNTrN7Up6"), "type": .string("function"),
                "function": .object(["name": .string("get_weather"), "arguments": .string(#"{"location": "San Francisco, CA"}"#)]),
            ]),
            .object([
                "id": .string("toolu_02"), "type": .string("function"),
                "function": .object(["name": .string("get_time"), "arguments": .string(#"{"tz":"PST"}"#)]),
            ]),
        ])
    }

    @Test func everyChunkCarriesOpenAIsEnvelope() throws {
        var translator = AnthropicStreamTranslator(model: "claude-haiku-4-5", created: 42, includeUsage: true)
        let datas = Self.datas(Self.events(Self.textAndToolsStream).flatMap { translator.translate($0) })
        #expect(datas.last == "[DONE]")
        let all = try datas.dropLast().map { try #require(JSONValue.parse($0)) }
        // role, 2 texts, 2 tool starts, 3 argument pieces, finish; then usage
        #expect(all.count == 10)
        let chunks = Array(all.prefix(9))
        for chunk in all {
            #expect(chunk["id"] == .string("chatcmpl-msg_014p7gG3wDgGV9EUtLvnow3U"))
            #expect(chunk["object"] == .string("chat.completion.chunk"))
            #expect(chunk["created"] == .number(42))
            #expect(chunk["model"] == .string("claude-haiku-4-5"))
        }
        #expect(chunks[0]["choices"] == .array([.object([
            "index": .number(0), "delta": .object(["role": .string("assistant"), "content": .string("")]),
            "logprobs": .null, "finish_reason": .null,
        ])]))
        #expect(chunks[0]["usage"] == .null)
        #expect(chunks[3]["choices"]?.arrayValue?.first?["delta"] == .object(["tool_calls": .array([.object([
            "index": .number(0), "id": .string("toolu_01T1x1fJ34qAmk2tNTrN7Up6"), "type": .string("function"),
            "function": .object(["name": .string("get_weather"), "arguments": .string("")]),
        ])])]))
        #expect(chunks[4]["choices"]?.arrayValue?.first?["delta"] == .object(["tool_calls": .array([.object([
            "index": .number(0), "function": .object(["arguments": .string(#"{"location": "San Fra"#)]),
        ])])]))
        #expect(chunks[6]["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["index"] == .number(1))
        #expect(chunks[8]["choices"]?.arrayValue?.first?["finish_reason"] == .string("tool_calls"))
        let usageChunk = try #require(all.last)
        #expect(usageChunk["choices"] == .array([]))
        #expect(usageChunk["usage"] == .object([
            "prompt_tokens": .number(3544), "completion_tokens": .number(89), "total_tokens": .number(3633),
            "prompt_tokens_details": .object(["cached_tokens": .number(2048)]), "cache_creation_input_tokens": .number(1024),
        ]))
    }

    @Test func withoutIncludeUsageThereIsNoUsageChunk() throws {
        var translator = AnthropicStreamTranslator(model: "m", created: 1, includeUsage: false)
        let datas = Self.datas(Self.events(Self.textAndToolsStream).flatMap { translator.translate($0) })
        #expect(datas.last == "[DONE]")
        let chunks = datas.dropLast().compactMap { JSONValue.parse($0) }
        #expect(chunks.count == 9)
        #expect(chunks.allSatisfy { $0["usage"] == nil })
        // The translator still knows the counts, for Loupe's own trace.
        #expect(translator.usage.outputTokens == 89)
    }

    @Test func textBlockStartWithTextIsSent() {
        var translator = AnthropicStreamTranslator(model: "m", created: 1, includeUsage: false)
        let output = Self.events(#"""
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}


            """#).flatMap { translator.translate($0) }
        #expect(output.count == 1)
        #expect(output.first?.contains(#""delta":{"content":"Hi"}"#) == true)
    }

    @Test func usageFollowsMessageDeltaCounts() {
        var translator = AnthropicStreamTranslator(model: "m", created: 1, includeUsage: false)
        _ = Self.events(#"""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}


            """#).flatMap { translator.translate($0) }
        #expect(translator.usage == TokenUsage(inputTokens: 12, outputTokens: 1, cachedInputTokens: 0, cacheWriteInputTokens: 0))
        #expect(!translator.finished)
        // Newer streams repeat the input counts in message_delta; they replace the earlier ones.
        _ = Self.events(#"""
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":12,"cache_read_input_tokens":30,"output_tokens":100}}


            """#).flatMap { translator.translate($0) }
        #expect(translator.usage == TokenUsage(inputTokens: 42, outputTokens: 100, cachedInputTokens: 30, cacheWriteInputTokens: 0))
    }

    @Test func errorEventMidStreamEndsItInOpenAIsShape() throws {
        var translator = AnthropicStreamTranslator(model: "claude-sonnet-4-5", created: 7, includeUsage: true)
        let output = Self.events(#"""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","usage":{"input_tokens":9,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Once upon"}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" a time"}}


            """#).flatMap { translator.translate($0) }
        #expect(translator.finished)
        #expect(translator.errorMessage == "Overloaded")
        #expect(output.count == 4)  // role, text, error, [DONE]; nothing after the error
        #expect(output[3] == "data: [DONE]\n\n")
        let error = try #require(Self.datas([output[2]]).first.flatMap { JSONValue.parse($0) })
        #expect(error == .object(["error": .object([
            "message": .string("Overloaded"), "type": .string("server_error"), "param": .null, "code": .string("overloaded"),
        ])]))

        var assembler = ChatStreamAssembler(kind: .chat, hideUsageChunk: false)
        for event in Self.events(output.joined()) { _ = assembler.consume(event) }
        #expect(assembler.summary.errorMessage == "Overloaded")
        #expect(JSONValue.parse(assembler.assembledResponse())?["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Once upon"))
    }

    @Test func pingsStopsAndUnknownEventsSendNothing() {
        var translator = AnthropicStreamTranslator(model: "m", created: 1, includeUsage: true)
        let output = Self.events(#"""
            event: ping
            data: {"type": "ping"}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: something_new
            data: {"type":"something_new","detail":1}

            data: not json


            """#).flatMap { translator.translate($0) }
        #expect(output.isEmpty)
        #expect(!translator.finished)
        #expect(translator.usage.isEmpty)
    }

    @Test func serverToolInputIsNotAClientToolCall() {
        var translator = AnthropicStreamTranslator(model: "m", created: 1, includeUsage: false)
        let output = Self.events(#"""
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"weather\"}"}}


            """#).flatMap { translator.translate($0) }
        #expect(output.isEmpty)
    }
}
