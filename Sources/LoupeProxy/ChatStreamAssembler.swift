import LoupeCore

/// Rebuilds Chat Completions and legacy Completions streams (`data: {chunk}` … `data: [DONE]`).
public struct ChatStreamAssembler: StreamAssembler {
    /// `chat.completion` or `text_completion`: the object the assembled response claims to be.
    public enum Kind: Sendable { case chat, completion }

    private let kind: Kind
    /// True when the proxy added `include_usage` and the client must not see the usage chunk.
    private let hideUsageChunk: Bool
    private var id: String?
    private var created: Int?
    private var choices: [Int: Choice] = [:]
    private var sawToken = false
    private var sawDone = false
    private var sawFinish = false
    public private(set) var summary = ResponseSummary()

    public init(kind: Kind, hideUsageChunk: Bool) {
        self.kind = kind
        self.hideUsageChunk = hideUsageChunk
    }

    public var isComplete: Bool { sawDone || sawFinish }

    public mutating func consume(_ event: SSEEvent) -> StreamEventDisposition {
        guard let data = event.data else { return StreamEventDisposition(forward: true, firstToken: false) }
        if data == "[DONE]" {
            sawDone = true
            return StreamEventDisposition(forward: true, firstToken: false)
        }
        guard case .object(let chunk)? = JSONValue.parse(data) else {
            return StreamEventDisposition(forward: true, firstToken: false)
        }
        id = id ?? chunk["id"]?.stringValue
        created = created ?? chunk["created"]?.intValue
        if let model = chunk["model"]?.stringValue { summary.upstreamModel = model }
        if let message = chunk["error"]?["message"]?.stringValue { summary.errorMessage = message }
        var carriesToken = false
        let wireChoices = chunk["choices"]?.arrayValue ?? []
        for wire in wireChoices {
            let index = wire["index"]?.intValue ?? 0
            var choice = choices[index] ?? Choice()
            let delta = wire["delta"]
            if let role = delta?["role"]?.stringValue { choice.role = role }
            if let content = delta?["content"]?.stringValue ?? wire["text"]?.stringValue, !content.isEmpty {
                choice.content += content
                carriesToken = true
            }
            if let refusal = delta?["refusal"]?.stringValue, !refusal.isEmpty {
                choice.refusal = (choice.refusal ?? "") + refusal
                carriesToken = true
            }
            for call in delta?["tool_calls"]?.arrayValue ?? [] {
                let callIndex = call["index"]?.intValue ?? 0
                var assembled = choice.toolCalls[callIndex] ?? ToolCall()
                if let id = call["id"]?.stringValue { assembled.id = id }
                if let type = call["type"]?.stringValue { assembled.type = type }
                if let name = call["function"]?["name"]?.stringValue { assembled.name += name }
                if let arguments = call["function"]?["arguments"]?.stringValue { assembled.arguments += arguments }
                choice.toolCalls[callIndex] = assembled
                carriesToken = true
            }
            if let reason = wire["finish_reason"]?.stringValue {
                choice.finishReason = reason
                sawFinish = true
            }
            choices[index] = choice
        }
        let usage = TokenUsage(wire: chunk["usage"])
        if let usage { summary.usage = usage }
        // The chunk that exists only because we asked for usage: no choices, just the counts.
        let isUsageOnly = usage != nil && wireChoices.isEmpty
        let firstToken = carriesToken && !sawToken
        sawToken = sawToken || carriesToken
        guard hideUsageChunk else { return StreamEventDisposition(forward: true, firstToken: firstToken) }
        if isUsageOnly { return StreamEventDisposition(forward: false, firstToken: firstToken) }
        // Asking for usage also adds `"usage": null` to every chunk; a client that did not ask never sees it.
        let rewritten = chunk["usage"] != nil
            ? JSONObjectScanner.removingMember("usage", from: Array(data.utf8)).map { String(decoding: $0, as: UTF8.self) }
            : nil
        return StreamEventDisposition(forward: true, firstToken: firstToken, rewrittenData: rewritten)
    }

    public func assembledResponse() -> String {
        var object: [String: JSONValue] = [
            "object": .string(kind == .chat ? "chat.completion" : "text_completion"),
            "choices": .array(choices.keys.sorted().map { index in choices[index]!.json(index: index, kind: kind) }),
        ]
        if let id { object["id"] = .string(id) }
        if let created { object["created"] = .number(Double(created)) }
        if let model = summary.upstreamModel { object["model"] = .string(model) }
        let usage = summary.usage
        if !usage.isEmpty {
            var members: [String: JSONValue] = [:]
            if let input = usage.inputTokens { members["prompt_tokens"] = .number(Double(input)) }
            if let output = usage.outputTokens { members["completion_tokens"] = .number(Double(output)) }
            if let input = usage.inputTokens, let output = usage.outputTokens { members["total_tokens"] = .number(Double(input + output)) }
            if let cached = usage.cachedInputTokens { members["prompt_tokens_details"] = .object(["cached_tokens": .number(Double(cached))]) }
            if let reasoning = usage.reasoningTokens { members["completion_tokens_details"] = .object(["reasoning_tokens": .number(Double(reasoning))]) }
            object["usage"] = .object(members)
        }
        return JSONValue.object(object).jsonText
    }

    private struct Choice {
        var role = "assistant"
        var content = ""
        var refusal: String?
        var toolCalls: [Int: ToolCall] = [:]
        var finishReason: String?

        func json(index: Int, kind: Kind) -> JSONValue {
            var members: [String: JSONValue] = [
                "index": .number(Double(index)),
                "finish_reason": finishReason.map(JSONValue.string) ?? .null,
            ]
            switch kind {
            case .completion:
                members["text"] = .string(content)
            case .chat:
                var message: [String: JSONValue] = [
                    "role": .string(role),
                    "content": content.isEmpty && !toolCalls.isEmpty ? .null : .string(content),
                ]
                if let refusal { message["refusal"] = .string(refusal) }
                if !toolCalls.isEmpty {
                    message["tool_calls"] = .array(toolCalls.keys.sorted().map { toolCalls[$0]!.json })
                }
                members["message"] = .object(message)
            }
            return .object(members)
        }
    }

    private struct ToolCall {
        var id: String?
        var type = "function"
        var name = ""
        var arguments = ""

        var json: JSONValue {
            .object([
                "id": id.map(JSONValue.string) ?? .null,
                "type": .string(type),
                "function": .object(["name": .string(name), "arguments": .string(arguments)]),
            ])
        }
    }
}
