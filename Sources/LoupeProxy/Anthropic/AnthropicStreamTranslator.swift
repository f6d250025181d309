import LoupeCore

/// Turns an Anthropic Messages event stream into an OpenAI `chat.completion.chunk` stream, event by event.
///
/// Text deltas become `delta.content`, each `tool_use` block a `delta.tool_calls` entry numbered in order of
/// appearance, `message_delta` the chunk with `finish_reason`, and `message_stop` the end (`data: [DONE]`),
/// after a usage chunk when the client asked for one. An `error` event becomes an OpenAI error event, then
/// `[DONE]`. Thinking and server-tool blocks have no chunk field and are left out.
public struct AnthropicStreamTranslator: Sendable {
    private let model: String
    private let created: Int
    private let includeUsage: Bool
    /// `chatcmpl-` and the Anthropic message id, once `message_start` gave it.
    private var id = "chatcmpl-"
    /// The tool call ordinal of each `tool_use` content block, by content block index.
    private var toolOrdinals: [Int: Int] = [:]
    /// The counts as Anthropic reports them: `message_start` gives them all, `message_delta` updates some.
    private var uncachedInputTokens: Int?
    private var cacheReadTokens: Int?
    private var cacheWriteTokens: Int?
    private var outputTokens: Int?

    /// True once the stream has ended, with `message_stop` or an `error` event; later events are ignored.
    public private(set) var finished = false
    /// The message of the `error` event that ended the stream, if one did.
    public private(set) var errorMessage: String?

    /// A translator whose chunks claim `model` and `created`; `includeUsage` adds OpenAI's usage chunk at the end.
    public init(model: String, created: Int, includeUsage: Bool) {
        self.model = model
        self.created = created
        self.includeUsage = includeUsage
    }

    /// The token counts the stream has reported so far, cache reads and writes counted inside the input.
    public var usage: TokenUsage {
        AnthropicResponse.usage(fromWire: .object(wireUsage))
    }

    /// The OpenAI events (`data: …\n\n`) that stand for one Anthropic event; often none.
    public mutating func translate(_ event: SSEEvent) -> [String] {
        guard !finished, let data = event.data, case .object(let payload)? = JSONValue.parse(data) else { return [] }
        switch payload["type"]?.stringValue ?? event.event {
        case "message_start":
            if let messageID = payload["message"]?["id"]?.stringValue { id = "chatcmpl-" + messageID }
            record(payload["message"]?["usage"])
            return [chunk(delta: ["role": .string("assistant"), "content": .string("")])]
        case "content_block_start":
            return blockStart(index: payload["index"]?.intValue ?? 0, block: payload["content_block"])
        case "content_block_delta":
            return blockDelta(index: payload["index"]?.intValue ?? 0, delta: payload["delta"])
        case "message_delta":
            record(payload["usage"])
            guard let reason = AnthropicResponse.finishReason(payload["delta"]?["stop_reason"]?.stringValue) else { return [] }
            return [chunk(delta: [:], finishReason: reason)]
        case "message_stop":
            finished = true
            var events: [String] = []
            if includeUsage { events.append(Self.event(envelope(choices: [], usage: AnthropicResponse.openAIUsage(usage)))) }
            events.append(Self.done)
            return events
        case "error":
            finished = true
            let error = payload["error"]
            let message = error?["message"]?.stringValue ?? "Anthropic ended the stream with an error and no message."
            errorMessage = message
            let body = AnthropicResponse.openAIError(anthropicType: error?["type"]?.stringValue ?? "api_error", message: message)
            return [Self.event(body), Self.done]
        default:
            // ping, content_block_stop, and event types added later: nothing for the client.
            return []
        }
    }

    private mutating func blockStart(index: Int, block: JSONValue?) -> [String] {
        switch block?["type"]?.stringValue {
        case "text":
            guard let text = block?["text"]?.stringValue, !text.isEmpty else { return [] }
            return [chunk(delta: ["content": .string(text)])]
        case "tool_use":
            let ordinal = toolOrdinals.count
            toolOrdinals[index] = ordinal
            // Streams start the input as `{}` and send it in `input_json_delta`s; a non-empty one came whole.
            var arguments = ""
            if case .object(let input)? = block?["input"], !input.isEmpty { arguments = JSONValue.object(input).jsonText }
            let call: JSONValue = .object([
                "index": .number(Double(ordinal)),
                "id": block?["id"] ?? .null,
                "type": .string("function"),
                "function": .object(["name": block?["name"] ?? .null, "arguments": .string(arguments)]),
            ])
            return [chunk(delta: ["tool_calls": .array([call])])]
        default:
            return []
        }
    }

    private func blockDelta(index: Int, delta: JSONValue?) -> [String] {
        switch delta?["type"]?.stringValue {
        case "text_delta":
            guard let text = delta?["text"]?.stringValue, !text.isEmpty else { return [] }
            return [chunk(delta: ["content": .string(text)])]
        case "input_json_delta":
            // Deltas of server-tool blocks have no ordinal and are not the client's tool calls.
            guard let ordinal = toolOrdinals[index], let json = delta?["partial_json"]?.stringValue, !json.isEmpty else { return [] }
            let call: JSONValue = .object(["index": .number(Double(ordinal)), "function": .object(["arguments": .string(json)])])
            return [chunk(delta: ["tool_calls": .array([call])])]
        default:
            return []
        }
    }

    /// Keeps the counts a `usage` object reports; a later event's counts replace earlier ones.
    private mutating func record(_ usage: JSONValue?) {
        guard let usage else { return }
        if let value = usage["input_tokens"]?.intValue { uncachedInputTokens = value }
        if let value = usage["cache_read_input_tokens"]?.intValue { cacheReadTokens = value }
        if let value = usage["cache_creation_input_tokens"]?.intValue { cacheWriteTokens = value }
        if let value = usage["output_tokens"]?.intValue { outputTokens = value }
    }

    private var wireUsage: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        fields["input_tokens"] = uncachedInputTokens.map { .number(Double($0)) }
        fields["cache_read_input_tokens"] = cacheReadTokens.map { .number(Double($0)) }
        fields["cache_creation_input_tokens"] = cacheWriteTokens.map { .number(Double($0)) }
        fields["output_tokens"] = outputTokens.map { .number(Double($0)) }
        return fields
    }

    /// One chunk with one choice.
    private func chunk(delta: [String: JSONValue], finishReason: String? = nil) -> String {
        let choice: JSONValue = .object([
            "index": .number(0),
            "delta": .object(delta),
            "logprobs": .null,
            "finish_reason": finishReason.map(JSONValue.string) ?? .null,
        ])
        // OpenAI puts `"usage": null` on every chunk of a stream that asked for usage.
        return Self.event(envelope(choices: [choice], usage: includeUsage ? .null : nil))
    }

    private func envelope(choices: [JSONValue], usage: JSONValue?) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id),
            "object": .string("chat.completion.chunk"),
            "created": .number(Double(created)),
            "model": .string(model),
            "choices": .array(choices),
        ]
        members["usage"] = usage
        return .object(members)
    }

    private static func event(_ value: JSONValue) -> String {
        "data: " + value.jsonText + "\n\n"
    }

    private static let done = "data: [DONE]\n\n"
}
