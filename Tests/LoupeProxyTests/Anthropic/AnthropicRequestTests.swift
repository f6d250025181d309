import LoupeCore
import LoupeProxy
import Testing

@Suite struct AnthropicRequestTests {
    /// Parses JSON written in a test; fails the test when it is not JSON.
    static func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try #require(JSONValue.parse(text), "not JSON: \(text)", sourceLocation: sourceLocation)
    }

    static func translate(_ chat: String) throws -> JSONValue {
        try AnthropicRequest.messagesBody(fromChat: json(chat), upstreamModel: "claude-sonnet-4-5")
    }

    /// The message of the error that translating `chat` throws, or nil when it translates.
    static func refusal(_ chat: String) throws -> String? {
        do {
            _ = try AnthropicRequest.messagesBody(fromChat: json(chat), upstreamModel: "claude-sonnet-4-5")
            return nil
        } catch let error as AnthropicTranslationError {
            return error.message
        }
    }

    @Test func plainConversationWithSystemAndSamplingFields() throws {
        let body = try Self.translate(#"""
            {"model": "gpt-4o", "max_tokens": 300, "temperature": 0.2, "top_p": 0.9, "stop": "END", "stream": true, "user": "user-42",
             "messages": [
               {"role": "system", "content": "You are terse."},
               {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}, {"type": "text", "text": "Never use emoji."}]},
               {"role": "user", "content": "What is the capital of Italy?"},
               {"role": "assistant", "content": "Rome."},
               {"role": "user", "content": [{"type": "text", "text": "And of Spain?"}]}
             ]}
            """#)
        #expect(body == (try Self.json(#"""
            {"model": "claude-sonnet-4-5", "max_tokens": 300, "temperature": 0.2, "top_p": 0.9, "stop_sequences": ["END"], "stream": true,
             "metadata": {"user_id": "user-42"},
             "system": "You are terse.\n\nAnswer in French.\n\nNever use emoji.",
             "messages": [
               {"role": "user", "content": [{"type": "text", "text": "What is the capital of Italy?"}]},
               {"role": "assistant", "content": [{"type": "text", "text": "Rome."}]},
               {"role": "user", "content": [{"type": "text", "text": "And of Spain?"}]}
             ]}
            """#)))
    }

    @Test func maxTokensDefaultsAndPrefersMaxCompletionTokens() throws {
        let bare = try Self.translate(#"{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(bare["max_tokens"] == .number(4096))
        #expect(AnthropicRequest.defaultMaxTokens == 4096)
        let both = try Self.translate(#"{"max_tokens": 10, "max_completion_tokens": 20, "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(both["max_tokens"] == .number(20))
        let legacy = try Self.translate(#"{"max_tokens": 10, "max_completion_tokens": null, "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(legacy["max_tokens"] == .number(10))
        #expect(bare["stream"] == nil)
        #expect(bare["system"] == nil)
        #expect(bare["tools"] == nil)
    }

    @Test func stopListBecomesStopSequences() throws {
        let body = try Self.translate(#"{"stop": ["@@@", "\n\nHuman:"], "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(body["stop_sequences"] == (try Self.json(#"["@@@", "\n\nHuman:"]"#)))
    }

    @Test func imagesAsBase64AndURLSources() throws {
        let body = try Self.translate(#"""
            {"messages": [{"role": "user", "content": [
              {"type": "text", "text": "Compare these."},
              {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
              {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
            ]}]}
            """#)
        #expect(body["messages"] == (try Self.json(#"""
            [{"role": "user", "content": [
              {"type": "text", "text": "Compare these."},
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
              {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}
            ]}]
            """#)))
    }

    @Test func imagesThatCannotBeSentAreRefused() throws {
        let ftp = try Self.refusal(#"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://example.com/a.png"}}]}]}"#)
        #expect(ftp?.contains("messages[0].content[0]") == true)
        #expect(ftp?.contains("http(s)") == true)
        let notBase64 = try Self.refusal(#"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/svg+xml,<svg/>"}}]}]}"#)
        #expect(notBase64?.contains("not base64") == true)
        let fromAssistant = try Self.refusal(#"""
            {"messages": [{"role": "user", "content": "Hi"},
              {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}]}
            """#)
        #expect(fromAssistant?.contains("messages[1].content[0]") == true)
    }

    @Test func toolCallsAndResultsRoundTrip() throws {
        let body = try Self.translate(#"""
            {"model": "gpt-4o",
             "tools": [
               {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}, "strict": true}},
               {"type": "function", "function": {"name": "now"}}
             ],
             "tool_choice": "auto",
             "messages": [
               {"role": "user", "content": "Weather in Paris and Rome, and the time?"},
               {"role": "assistant", "content": "", "tool_calls": [
                 {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
                 {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Rome\"}"}},
                 {"id": "call_3", "type": "function", "function": {"name": "now", "arguments": ""}}
               ]},
               {"role": "tool", "tool_call_id": "call_1", "content": "18°C, sunny"},
               {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "21°C"}]},
               {"role": "tool", "tool_call_id": "call_3", "content": "12:00"},
               {"role": "user", "content": "Thanks! Summarise."}
             ]}
            """#)
        #expect(body["tools"] == (try Self.json(#"""
            [{"name": "get_weather", "description": "Weather for a city",
              "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
             {"name": "now", "input_schema": {"type": "object"}}]
            """#)))
        #expect(body["tool_choice"] == (try Self.json(#"{"type": "auto"}"#)))
        #expect(body["messages"] == (try Self.json(#"""
            [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris and Rome, and the time?"}]},
             {"role": "assistant", "content": [
               {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
               {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"city": "Rome"}},
               {"type": "tool_use", "id": "call_3", "name": "now", "input": {}}
             ]},
             {"role": "user", "content": [
               {"type": "tool_result", "tool_use_id": "call_1", "content": "18°C, sunny"},
               {"type": "tool_result", "tool_use_id": "call_2", "content": [{"type": "text", "text": "21°C"}]},
               {"type": "tool_result", "tool_use_id": "call_3", "content": "12:00"},
               {"type": "text", "text": "Thanks! Summarise."}
             ]}]
            """#)))
    }

    @Test(arguments: [
        (#""auto""#, nil as Bool?, #"{"type": "auto"}"#),
        (#""required""#, nil, #"{"type": "any"}"#),
        (#""none""#, nil, #"{"type": "none"}"#),
        (#"{"type": "function", "function": {"name": "get_weather"}}"#, nil, #"{"type": "tool", "name": "get_weather"}"#),
        (#""required""#, false, #"{"type": "any", "disable_parallel_tool_use": true}"#),
        (#"{"type": "function", "function": {"name": "get_weather"}}"#, false, #"{"type": "tool", "name": "get_weather", "disable_parallel_tool_use": true}"#),
        (#""none""#, false, #"{"type": "none"}"#),
        (#""auto""#, true, #"{"type": "auto"}"#),
        ("null", false, #"{"type": "auto", "disable_parallel_tool_use": true}"#),
    ])
    func toolChoice(choice: String, parallel: Bool?, expected: String) throws {
        let parallelField = parallel.map { #", "parallel_tool_calls": \#($0)"# } ?? ""
        let body = try Self.translate(#"""
            {"tools": [{"type": "function", "function": {"name": "get_weather"}}], "tool_choice": \#(choice)\#(parallelField),
             "messages": [{"role": "user", "content": "Weather?"}]}
            """#)
        #expect(body["tool_choice"] == (try Self.json(expected)))
    }

    @Test func noToolChoiceWithoutToolsOrWithDefaults() throws {
        let defaults = try Self.translate(#"{"tools": [{"type": "function", "function": {"name": "f"}}], "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(defaults["tool_choice"] == nil)
        // Without tools no call can happen, so a choice means nothing to Anthropic.
        let toolless = try Self.translate(#"{"tool_choice": "none", "parallel_tool_calls": false, "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(toolless["tool_choice"] == nil)
        #expect(toolless["tools"] == nil)
    }

    @Test func consecutiveSameRoleMessagesMerge() throws {
        let body = try Self.translate(#"""
            {"messages": [
              {"role": "user", "content": "First part."},
              {"role": "user", "content": [{"type": "text", "text": "Second part."}]},
              {"role": "system", "content": "Be brief."},
              {"role": "user", "content": "Third part."},
              {"role": "assistant", "content": "One."},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
              {"role": "assistant", "content": ""}
            ]}
            """#)
        #expect(body["system"] == .string("Be brief."))
        #expect(body["messages"] == (try Self.json(#"""
            [{"role": "user", "content": [
               {"type": "text", "text": "First part."}, {"type": "text", "text": "Second part."}, {"type": "text", "text": "Third part."}]},
             {"role": "assistant", "content": [
               {"type": "text", "text": "One."}, {"type": "tool_use", "id": "c1", "name": "f", "input": {}}]}]
            """#)))
    }

    @Test func cacheControlOnPartsIsKept() throws {
        let body = try Self.translate(#"""
            {"messages": [
              {"role": "system", "content": [{"type": "text", "text": "Long manual…", "cache_control": {"type": "ephemeral"}}]},
              {"role": "system", "content": "Short note."},
              {"role": "user", "content": [{"type": "text", "text": "Question", "cache_control": {"type": "ephemeral"}}]}
            ]}
            """#)
        #expect(body["system"] == (try Self.json(#"""
            [{"type": "text", "text": "Long manual…", "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": "Short note."}]
            """#)))
        #expect(body["messages"]?.arrayValue?.first?["content"] == (try Self.json(#"""
            [{"type": "text", "text": "Question", "cache_control": {"type": "ephemeral"}}]
            """#)))
    }

    @Test func harmlessFieldsAreDropped() throws {
        let body = try Self.translate(#"""
            {"model": "gpt-4o", "stream": true, "stream_options": {"include_usage": true}, "frequency_penalty": 0.5, "presence_penalty": 0.1,
             "logit_bias": {"50256": -100}, "seed": 7, "response_format": {"type": "text"}, "n": 1, "logprobs": false, "store": true,
             "messages": [{"role": "user", "name": "alice", "content": "Hi"}]}
            """#)
        #expect(body == (try Self.json(#"""
            {"model": "claude-sonnet-4-5", "max_tokens": 4096, "stream": true,
             "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]}
            """#)))
    }

    @Test func severalChoicesAreRefused() throws {
        let message = try #require(try Self.refusal(#"{"n": 2, "messages": [{"role": "user", "content": "Hi"}]}"#))
        #expect(message.contains("`n` is 2"))
        #expect(message.contains("one choice per request"))
    }

    @Test func requestsWithoutMessagesAreRefused() throws {
        #expect(try Self.refusal(#"{"model": "gpt-4o"}"#)?.contains("no `messages`") == true)
        #expect(try Self.refusal(#"{"messages": []}"#)?.contains("no `messages`") == true)
        #expect(try Self.refusal(#"{"messages": [{"role": "system", "content": "Only a system prompt."}]}"#)?.contains("Add a user message") == true)
        #expect(try Self.refusal(#"["not", "an", "object"]"#) != nil)
    }

    @Test func unparseableToolArgumentsNameTheCall() throws {
        let message = try #require(try Self.refusal(#"""
            {"messages": [{"role": "user", "content": "Hi"},
              {"role": "assistant", "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\": "}}]}]}
            """#))
        #expect(message.contains("messages[1].tool_calls[0]"))
        #expect(message.contains("call_9"))
        #expect(message.contains("lookup"))
        let notObject = try #require(try Self.refusal(#"""
            {"messages": [{"role": "user", "content": "Hi"},
              {"role": "assistant", "tool_calls": [{"id": "call_8", "type": "function", "function": {"name": "lookup", "arguments": "[1, 2]"}}]}]}
            """#))
        #expect(notObject.contains("not a JSON object"))
    }

    @Test(arguments: [
        (#"{"type": "input_audio", "input_audio": {"data": "AAA=", "format": "wav"}}"#, "input_audio"),
        (#"{"type": "file", "file": {"file_id": "file-1"}}"#, "file"),
        (#"{"type": "video"}"#, "video"),
    ])
    func untranslatablePartTypesAreRefused(part: String, type: String) throws {
        let message = try #require(try Self.refusal(#"{"messages": [{"role": "user", "content": [\#(part)]}]}"#))
        #expect(message.contains("messages[0].content[0]"))
        #expect(message.contains("type \(type)"))
    }

    @Test(arguments: [
        (#""logprobs": true"#, "log probabilities"),
        (#""response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}"#, "json_schema"),
        (#""response_format": {"type": "json_object"}"#, "json_object"),
        (#""modalities": ["text", "audio"]"#, "audio"),
        (#""functions": [{"name": "f"}]"#, "legacy"),
        (#""temperature": 1.5"#, "0 to 1"),
        (#""max_tokens": 0"#, "above 0"),
        (#""tools": [{"type": "web_search"}]"#, "only function tools"),
        (#""tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "sometimes""#, "tool_choice"),
    ])
    func untranslatableFieldsAreRefused(field: String, mention: String) throws {
        let message = try #require(try Self.refusal(#"{\#(field), "messages": [{"role": "user", "content": "Hi"}]}"#))
        #expect(message.contains(mention))
    }

    @Test func unknownRolesAndOrphanToolResultsAreRefused() throws {
        #expect(try Self.refusal(#"{"messages": [{"role": "function", "name": "f", "content": "1"}]}"#)?.contains("legacy role") == true)
        #expect(try Self.refusal(#"{"messages": [{"role": "robot", "content": "1"}]}"#)?.contains("\"robot\"") == true)
        #expect(try Self.refusal(#"{"messages": [{"role": "tool", "content": "1"}]}"#)?.contains("tool_call_id") == true)
    }

    @Test func errorDescribesItself() {
        let error = AnthropicTranslationError("Send fewer choices.")
        #expect(error.description == "Send fewer choices.")
        #expect("\(error)" == "Send fewer choices.")
    }
}
