import LoupeCore
import LoupeProxy
import Testing

@Suite struct AnthropicResponseTests {
    static func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try #require(JSONValue.parse(text), "not JSON: \(text)", sourceLocation: sourceLocation)
    }

    @Test func textMessageBecomesAChatCompletion() throws {
        let message = try Self.json(#"""
            {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
             "content": [{"type": "text", "text": "Paris is the capital"}, {"type": "text", "text": " of France."}],
             "stop_reason": "end_turn", "stop_sequence": null,
             "usage": {"input_tokens": 12, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 2000, "output_tokens": 9}}
            """#)
        let completion = AnthropicResponse.chatCompletion(fromMessage: message, model: "claude-sonnet-4-5", created: 1_760_000_000)
        #expect(completion == (try Self.json(#"""
            {"id": "chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL", "object": "chat.completion", "created": 1760000000, "model": "claude-sonnet-4-5",
             "choices": [{"index": 0, "logprobs": null, "finish_reason": "stop",
                          "message": {"role": "assistant", "content": "Paris is the capital of France."}}],
             "usage": {"prompt_tokens": 2112, "completion_tokens": 9, "total_tokens": 2121, "prompt_tokens_details": {"cached_tokens": 2000},
                       "cache_creation_input_tokens": 100}}
            """#)))
    }

    @Test func toolUseBecomesToolCalls() throws {
        let message = try Self.json(#"""
            {"id": "msg_01Aq9w938a90dw8q", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
             "content": [
               {"type": "thinking", "thinking": "The user wants weather.", "signature": "sig"},
               {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA", "unit": "celsius"}},
               {"type": "tool_use", "id": "toolu_01B", "name": "now", "input": {}}
             ],
             "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 400, "output_tokens": 60}}
            """#)
        let completion = AnthropicResponse.chatCompletion(fromMessage: message, model: "claude-sonnet-4-5", created: 1)
        let choice = try #require(completion["choices"]?.arrayValue?.first)
        #expect(choice["finish_reason"] == .string("tool_calls"))
        #expect(choice["message"] == (try Self.json(#"""
            {"role": "assistant", "content": null, "tool_calls": [
              {"id": "toolu_01A09q90qw90lq917835lq9", "type": "function",
               "function": {"name": "get_weather", "arguments": "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}},
              {"id": "toolu_01B", "type": "function", "function": {"name": "now", "arguments": "{}"}}]}
            """#)))
        // The arguments are JSON text a client can parse back into the input.
        let arguments = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue)
        #expect(JSONValue.parse(arguments) == (try Self.json(#"{"location": "San Francisco, CA", "unit": "celsius"}"#)))
        #expect(completion["usage"] == (try Self.json(#"""
            {"prompt_tokens": 400, "completion_tokens": 60, "total_tokens": 460, "prompt_tokens_details": {"cached_tokens": 0}}
            """#)))
    }

    @Test func textBeforeAToolCallIsKept() throws {
        let message = try Self.json(#"""
            {"id": "msg_1", "content": [{"type": "text", "text": "Let me check."}, {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}}],
             "stop_reason": "tool_use", "usage": {"input_tokens": 1, "output_tokens": 2}}
            """#)
        let reply = AnthropicResponse.chatCompletion(fromMessage: message, model: "m", created: 1)["choices"]?.arrayValue?.first?["message"]
        #expect(reply?["content"] == .string("Let me check."))
        #expect(reply?["tool_calls"]?.arrayValue?.count == 1)
    }

    @Test func noToolCallsMemberWhenThereAreNone() throws {
        let message = try Self.json(#"{"id": "msg_2", "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}"#)
        let reply = AnthropicResponse.chatCompletion(fromMessage: message, model: "m", created: 1)["choices"]?.arrayValue?.first?["message"]
        #expect(reply?["tool_calls"] == nil)
        #expect(reply == (try Self.json(#"{"role": "assistant", "content": "Hi"}"#)))
    }

    @Test(arguments: [
        ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"),
        ("refusal", "content_filter"), ("pause_turn", "stop"),
    ])
    func finishReasons(stopReason: String, finishReason: String) throws {
        let message = try Self.json(#"{"id": "msg_3", "content": [], "stop_reason": "\#(stopReason)", "usage": {"input_tokens": 1, "output_tokens": 0}}"#)
        let choice = AnthropicResponse.chatCompletion(fromMessage: message, model: "m", created: 1)["choices"]?.arrayValue?.first
        #expect(choice?["finish_reason"] == .string(finishReason))
    }

    @Test func usageCountsCacheReadsAndWritesInsideTheInput() throws {
        let message = try Self.json(#"""
            {"id": "msg_4", "content": [], "stop_reason": "end_turn",
             "usage": {"input_tokens": 25, "cache_creation_input_tokens": 1500, "cache_read_input_tokens": 3000, "output_tokens": 80}}
            """#)
        let usage = AnthropicResponse.usage(fromMessage: message)
        #expect(usage == TokenUsage(inputTokens: 4525, outputTokens: 80, cachedInputTokens: 3000, cacheWriteInputTokens: 1500))
        let noCache = AnthropicResponse.usage(fromMessage: try Self.json(#"{"usage": {"input_tokens": 25, "output_tokens": 80}}"#))
        #expect(noCache == TokenUsage(inputTokens: 25, outputTokens: 80))
        #expect(AnthropicResponse.usage(fromMessage: try Self.json(#"{"id": "msg_5"}"#)).isEmpty)
    }

    @Test(arguments: [
        (400, "invalid_request_error", "invalid_request_error", nil as String?),
        (401, "authentication_error", "invalid_request_error", "invalid_api_key"),
        (403, "permission_error", "invalid_request_error", "permission_denied"),
        (404, "not_found_error", "invalid_request_error", "not_found"),
        (413, "request_too_large", "invalid_request_error", "request_too_large"),
        (429, "rate_limit_error", "requests", "rate_limit_exceeded"),
        (500, "api_error", "server_error", nil),
        (529, "overloaded_error", "server_error", "overloaded"),
    ])
    func errorsTakeOpenAIsShape(status: Int, anthropicType: String, openAIType: String, code: String?) throws {
        let body = try Self.json(#"{"type": "error", "error": {"type": "\#(anthropicType)", "message": "Something about \#(anthropicType)"}, "request_id": "req_1"}"#)
        let error = AnthropicResponse.openAIError(fromAnthropic: body, status: status)
        #expect(error == .object(["error": .object([
            "message": .string("Something about \(anthropicType)"),
            "type": .string(openAIType),
            "param": .null,
            "code": code.map(JSONValue.string) ?? .null,
        ])]))
    }

    @Test func errorsWithoutABodyAreNamedByTheirStatus() {
        let overloaded = AnthropicResponse.openAIError(fromAnthropic: nil, status: 529)
        #expect(overloaded["error"]?["type"] == .string("server_error"))
        #expect(overloaded["error"]?["code"] == .string("overloaded"))
        #expect(overloaded["error"]?["message"]?.stringValue?.contains("529") == true)
        let limited = AnthropicResponse.openAIError(fromAnthropic: .string("<html>Too Many Requests</html>"), status: 429)
        #expect(limited["error"]?["code"] == .string("rate_limit_exceeded"))
        let unknown = AnthropicResponse.openAIError(fromAnthropic: .object(["error": .object(["type": .string("timeout_error"), "message": .string("slow")])]), status: 504)
        #expect(unknown["error"]?["type"] == .string("timeout_error"))
        #expect(unknown["error"]?["message"] == .string("slow"))
    }
}
