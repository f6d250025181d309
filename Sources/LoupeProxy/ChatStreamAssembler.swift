import Foundation
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
        guard let chunk = try? JSONDecoder().decode(Chunk.self, from: Data(data.utf8)) else {
            return StreamEventDisposition(forward: true, firstToken: false)
        }
        id = id ?? chunk.id
        created = created ?? chunk.created
        if let model = chunk.model { summary.upstreamModel = model }
        if let message = chunk.error?.message { summary.errorMessage = message }
        var carriesToken = false
        for wire in chunk.choices ?? [] {
            let index = wire.index ?? 0
            var choice = choices[index] ?? Choice()
            if let role = wire.delta?.role { choice.role = role }
            if let content = wire.delta?.content, !content.isEmpty {
                choice.content += content
                carriesToken = true
            }
            if let refusal = wire.delta?.refusal, !refusal.isEmpty {
                choice.refusal = (choice.refusal ?? "") + refusal
                carriesToken = true
            }
            if let text = wire.text, !text.isEmpty {
                choice.content += text
                carriesToken = true
            }
            for call in wire.delta?.tool_calls ?? [] {
                let callIndex = call.index ?? 0
                var assembled = choice.toolCalls[callIndex] ?? ToolCall()
                if let id = call.id { assembled.id = id }
                if let type = call.type { assembled.type = type }
                if let name = call.function?.name { assembled.name += name }
                if let arguments = call.function?.arguments { assembled.arguments += arguments }
                choice.toolCalls[callIndex] = assembled
                carriesToken = true
            }
            if let reason = wire.finish_reason {
                choice.finishReason = reason
                sawFinish = true
            }
            choices[index] = choice
        }
        if let usage = chunk.usage { summary.usage = usage.tokenUsage }
        // The chunk that exists only because we asked for usage: no choices, just the counts.
        let isUsageOnly = chunk.usage != nil && (chunk.choices?.isEmpty ?? true)
        let firstToken = carriesToken && !sawToken
        sawToken = sawToken || carriesToken
        guard hideUsageChunk else { return StreamEventDisposition(forward: true, firstToken: firstToken) }
        if isUsageOnly { return StreamEventDisposition(forward: false, firstToken: firstToken) }
        // Asking for usage also adds `"usage": null` to every chunk; a client that did not ask never sees it.
        let rewritten = chunk.hasUsageMember
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

    private struct Chunk: Decodable {
        var id: String?
        var created: Int?
        var model: String?
        var choices: [WireChoice]?
        var usage: WireUsage?
        var error: WireError?
        /// True when the chunk has a `usage` member at all, even `null`.
        var hasUsageMember = false

        enum CodingKeys: String, CodingKey { case id, created, model, choices, usage, error }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try? container.decodeIfPresent(String.self, forKey: .id)
            created = try? container.decodeIfPresent(Int.self, forKey: .created)
            model = try? container.decodeIfPresent(String.self, forKey: .model)
            choices = try container.decodeIfPresent([WireChoice].self, forKey: .choices)
            usage = try? container.decodeIfPresent(WireUsage.self, forKey: .usage)
            error = try? container.decodeIfPresent(WireError.self, forKey: .error)
            hasUsageMember = container.contains(.usage)
        }
    }

    private struct WireChoice: Decodable {
        var index: Int?
        var delta: Delta?
        var text: String?
        var finish_reason: String?
    }

    private struct Delta: Decodable {
        var role: String?
        var content: String?
        var refusal: String?
        var tool_calls: [WireToolCall]?
    }

    private struct WireToolCall: Decodable {
        var index: Int?
        var id: String?
        var type: String?
        var function: Function?

        struct Function: Decodable {
            var name: String?
            var arguments: String?
        }
    }
}
