import LoupeCore
import LoupeProxy
import NIOCore
import Testing

@Suite struct UsageExtractionTests {
    @Test func chatCompletionUsage() {
        let body = #"{"id":"c","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":8}}}"#
        let summary = ResponseSummary(body: Array(body.utf8))
        #expect(summary.upstreamModel == "gpt-4o-mini-2024-07-18")
        #expect(summary.usage == TokenUsage(inputTokens: 12, outputTokens: 30, cachedInputTokens: 4, reasoningTokens: 8))
    }

    @Test func aSummaryReadsTheSameAsFromTheWholeAnswer() {
        let bodies = [
            #"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"a \"quoted\" \\ word\n","tool_calls":[{"id":"t","function":{"name":"f","arguments":"{\"x\":1}"}}]},"finish_reason":"stop"}],"model":"m","usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
            #"{"type":"response.completed","response":{"model":"gpt-4o","output":[{"type":"message"}],"usage":{"input_tokens":2,"output_tokens":1}}}"#,
            #"{"error":{"message":"bad","type":"invalid_request_error"},"extra":[[[]]]}"#,
        ]
        for body in bodies {
            let whole = ResponseSummary(json: JSONValue.parse(body))
            #expect(ResponseSummary(body: Array(body.utf8)) == whole)
            #expect(whole != ResponseSummary())
        }
        // Broken JSON in a member that is skipped still makes the answer unreadable, as before.
        #expect(ResponseSummary(body: Array(#"{"choices":[1,],"usage":{"prompt_tokens":3}}"#.utf8)) == ResponseSummary())
    }

    @Test func embeddingsUsage() {
        let body = #"{"object":"list","data":[],"model":"text-embedding-3-small","usage":{"prompt_tokens":7,"total_tokens":7}}"#
        #expect(ResponseSummary(body: Array(body.utf8)).usage == TokenUsage(inputTokens: 7))
    }

    @Test func responsesUsage() {
        let body = #"{"id":"resp_1","object":"response","model":"gpt-4o","usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":10},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":25}}"#
        #expect(ResponseSummary(body: Array(body.utf8)).usage == TokenUsage(inputTokens: 20, outputTokens: 5, cachedInputTokens: 10, reasoningTokens: 2))
    }

    @Test func errorBodyMessage() {
        let body = #"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded","param":null}}"#
        let summary = ResponseSummary(body: Array(body.utf8))
        #expect(summary.errorMessage == "Rate limit reached")
        #expect(summary.usage.isEmpty)
    }

    func events(_ lines: [String]) -> [SSEEvent] {
        var parser = SSEParser()
        return parser.feed(ByteBuffer(string: lines.map { "data: \($0)\n\n" }.joined()))
    }

    @Test func chatStreamAssemblyHidesTheUsageChunkItAskedFor() {
        var assembler = ChatStreamAssembler(kind: .chat, hideUsageChunk: true)
        let dispositions = events([
            #"{"id":"c1","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":null}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}],"usage":null}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{"content":"lo"}}],"usage":null}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
            #"{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#,
            "[DONE]",
        ]).map { assembler.consume($0) }
        #expect(dispositions.map(\.forward) == [true, true, true, true, false, true])
        #expect(dispositions[0].rewrittenData == #"{"id":"c1","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#)
        #expect(dispositions[1].rewrittenData == #"{"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#)
        #expect(dispositions.map(\.firstToken) == [false, true, false, false, false, false])
        #expect(assembler.isComplete)
        #expect(assembler.summary.usage == TokenUsage(inputTokens: 3, outputTokens: 2))
        let response = JSONValue.parse(assembler.assembledResponse())
        #expect(response?["choices"] == .array([.object([
            "index": .number(0), "finish_reason": .string("stop"),
            "message": .object(["role": .string("assistant"), "content": .string("Hello")]),
        ])]))
        #expect(response?["model"] == .string("gpt-4o-mini-2024-07-18"))
    }

    @Test func chatStreamKeepsTheUsageChunkTheClientAskedFor() {
        var assembler = ChatStreamAssembler(kind: .chat, hideUsageChunk: false)
        let dispositions = events([
            #"{"choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}"#,
            #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#,
        ]).map { assembler.consume($0) }
        #expect(dispositions.map(\.forward) == [true, true])
        #expect(dispositions.map(\.rewrittenData) == [nil, nil])
        #expect(!assembler.isComplete)
    }

    @Test func chatStreamAssemblesToolCalls() {
        var assembler = ChatStreamAssembler(kind: .chat, hideUsageChunk: false)
        for event in events([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        ]) { _ = assembler.consume(event) }
        let message = JSONValue.parse(assembler.assembledResponse())?["choices"].flatMap { value -> JSONValue? in
            if case .array(let items) = value { return items.first?["message"] }
            return nil
        }
        #expect(message?["content"] == .null)
        #expect(message?["tool_calls"] == .array([.object([
            "id": .string("call_1"), "type": .string("function"),
            "function": .object(["name": .string("get_weather"), "arguments": .string(#"{"city":"Paris"}"#)]),
        ])]))
    }

    @Test func completionsStreamAssemblesText() {
        var assembler = ChatStreamAssembler(kind: .completion, hideUsageChunk: true)
        for event in events([
            #"{"choices":[{"index":0,"text":"Hi "}]}"#, #"{"choices":[{"index":0,"text":"there","finish_reason":"length"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":2}}"#, "[DONE]",
        ]) { _ = assembler.consume(event) }
        #expect(assembler.summary.usage == TokenUsage(inputTokens: 2, outputTokens: 2))
        #expect(assembler.assembledResponse().contains(#""text":"Hi there""#))
    }

    @Test func responsesStreamTakesUsageFromTheCompletedEvent() {
        var parser = SSEParser()
        let stream = [
            ("response.created", #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","model":"gpt-4o","status":"in_progress"}}"#),
            ("response.output_text.delta", #"{"type":"response.output_text.delta","sequence_number":1,"delta":"Hi"}"#),
            ("response.completed", #"{"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","model":"gpt-4o-2024-08-06","status":"completed","usage":{"input_tokens":9,"output_tokens":1,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}}"#),
        ].map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined()
        var assembler = ResponsesStreamAssembler()
        let firsts = parser.feed(ByteBuffer(string: stream)).map { assembler.consume($0).firstToken }
        #expect(firsts == [false, true, false])
        #expect(assembler.isComplete)
        #expect(assembler.summary.usage == TokenUsage(inputTokens: 9, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0))
        #expect(assembler.summary.upstreamModel == "gpt-4o-2024-08-06")
        #expect(JSONValue.parse(assembler.assembledResponse())?["id"] == .string("resp_1"))
    }
}
