import LoupeCore

/// Turns Anthropic Messages API answers (messages, usage, errors) into their OpenAI chat completions shapes.
///
/// Only `text` and `tool_use` blocks reach the client: thinking and server-tool blocks have no
/// chat completions field and are left out.
public enum AnthropicResponse {
    /// An Anthropic `message` as an OpenAI `chat.completion` with one choice, reported as `model`.
    public static func chatCompletion(fromMessage message: JSONValue, model: String, created: Int) -> JSONValue {
        var texts: [String] = []
        var toolCalls: [JSONValue] = []
        for block in message["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "text":
                texts.append(block["text"]?.stringValue ?? "")
            case "tool_use":
                toolCalls.append(.object([
                    "id": block["id"] ?? .null,
                    "type": .string("function"),
                    "function": .object([
                        "name": block["name"] ?? .null,
                        "arguments": .string((block["input"] ?? .object([:])).jsonText),
                    ]),
                ]))
            default:
                continue
            }
        }
        // Anthropic splits one answer into several text blocks (around citations, tool calls); they read as one text.
        var reply: [String: JSONValue] = [
            "role": .string("assistant"),
            "content": texts.isEmpty ? .null : .string(texts.joined()),
        ]
        if !toolCalls.isEmpty { reply["tool_calls"] = .array(toolCalls) }
        let choice: JSONValue = .object([
            "index": .number(0),
            "message": .object(reply),
            "logprobs": .null,
            "finish_reason": finishReason(message["stop_reason"]?.stringValue).map(JSONValue.string) ?? .null,
        ])
        return .object([
            "id": .string("chatcmpl-" + (message["id"]?.stringValue ?? "")),
            "object": .string("chat.completion"),
            "created": .number(Double(created)),
            "model": .string(model),
            "choices": .array([choice]),
            "usage": openAIUsage(usage(fromMessage: message)),
        ])
    }

    /// The token counts of an Anthropic `message`, its cache reads and writes counted inside the input.
    public static func usage(fromMessage message: JSONValue) -> TokenUsage {
        usage(fromWire: message["usage"])
    }

    /// An Anthropic error body (`{"type": "error", "error": {"type", "message"}}`) as an OpenAI error body.
    ///
    /// `status` names the error when the body does not (a proxy's HTML page, an empty body).
    public static func openAIError(fromAnthropic body: JSONValue?, status: Int) -> JSONValue {
        let error = body?["error"]
        let anthropicType = error?["type"]?.stringValue
        let message = error?["message"]?.stringValue ?? "Anthropic answered HTTP \(status) without an error message."
        return openAIError(anthropicType: anthropicType ?? errorType(forStatus: status), message: message)
    }

    /// OpenAI's `finish_reason` for an Anthropic `stop_reason`; nil while the message is unfinished.
    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: nil
        case "end_turn", "stop_sequence", "pause_turn": "stop"
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// An Anthropic `usage` object as Loupe's counts: `input_tokens` leaves out cache reads and writes, Loupe counts them in.
    static func usage(fromWire usage: JSONValue?) -> TokenUsage {
        guard case .object(let fields)? = usage else { return TokenUsage() }
        let uncached = fields["input_tokens"]?.intValue
        let read = fields["cache_read_input_tokens"]?.intValue
        let write = fields["cache_creation_input_tokens"]?.intValue
        let input = uncached == nil && read == nil && write == nil ? nil : (uncached ?? 0) + (read ?? 0) + (write ?? 0)
        return TokenUsage(inputTokens: input, outputTokens: fields["output_tokens"]?.intValue, cachedInputTokens: read, cacheWriteInputTokens: write)
    }

    /// Loupe's counts as an OpenAI `usage` object; cache writes stay inside `prompt_tokens` and are also given on their own.
    static func openAIUsage(_ usage: TokenUsage) -> JSONValue {
        let prompt = usage.inputTokens ?? 0
        let completion = usage.outputTokens ?? 0
        var fields: [String: JSONValue] = [
            "prompt_tokens": .number(Double(prompt)),
            "completion_tokens": .number(Double(completion)),
            "total_tokens": .number(Double(prompt + completion)),
            "prompt_tokens_details": .object(["cached_tokens": .number(Double(usage.cachedInputTokens ?? 0))]),
        ]
        // Cache writes have no OpenAI field; LiteLLM reports them under this name, and Loupe reads it back to price them.
        if let written = usage.cacheWriteInputTokens, written > 0 { fields["cache_creation_input_tokens"] = .number(Double(written)) }
        return .object(fields)
    }

    /// An OpenAI error body for an Anthropic error type: OpenAI's type and code, so SDKs and retry logic read it as OpenAI's.
    static func openAIError(anthropicType: String, message: String) -> JSONValue {
        let (type, code): (String, String?) =
            switch anthropicType {
            case "invalid_request_error": ("invalid_request_error", nil)
            case "authentication_error": ("invalid_request_error", "invalid_api_key")
            case "permission_error": ("invalid_request_error", "permission_denied")
            case "not_found_error": ("invalid_request_error", "not_found")
            case "request_too_large": ("invalid_request_error", "request_too_large")
            case "billing_error": ("insufficient_quota", "insufficient_quota")
            case "rate_limit_error": ("requests", "rate_limit_exceeded")
            case "api_error": ("server_error", nil)
            case "overloaded_error": ("server_error", "overloaded")
            // A type added after this was written: passed on as it is.
            default: (anthropicType, nil)
            }
        return .object([
            "error": .object([
                "message": .string(message),
                "type": .string(type),
                "param": .null,
                "code": code.map(JSONValue.string) ?? .null,
            ])
        ])
    }

    /// The Anthropic error type that goes with an HTTP status.
    static func errorType(forStatus status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        case 500..<600: "api_error"
        default: "invalid_request_error"
        }
    }
}
