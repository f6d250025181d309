import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import NIOCore

/// One request to the fake and the deterministic answer it gets.
struct FakeCall: Sendable {
    let json: [String: JSONValue]
    let model: String
    let reply: String
    let cachedTokens: Int
    let reasoningTokens: Int
    let chunkDelayMs: Int
    let cutAfter: Int?
    let toolCall: String?
    let id = String(UUID().uuidString.prefix(12)).lowercased()
    let created = Int(Date().timeIntervalSince1970)

    init(json: [String: JSONValue], model: String, headers: HTTPFields) {
        self.json = json
        self.model = model
        self.reply = header(headers, "x-fake-reply") ?? FakeResponder.defaultReply
        self.cachedTokens = header(headers, "x-fake-cached-tokens").flatMap(Int.init) ?? 0
        self.reasoningTokens = header(headers, "x-fake-reasoning-tokens").flatMap(Int.init) ?? 0
        self.chunkDelayMs = header(headers, "x-fake-chunk-delay-ms").flatMap(Int.init) ?? 0
        self.cutAfter = header(headers, "x-fake-cut-after").flatMap(Int.init)
        self.toolCall = json["tools"] == nil ? nil : header(headers, "x-fake-tool-call")
    }

    /// The model as OpenAI reports it: dated, unless the name already carries a date.
    var reportedModel: String {
        let parts = model.split(separator: "-")
        if parts.count >= 3, parts.suffix(3).map(\.count) == [4, 2, 2], parts.suffix(3).allSatisfy({ $0.allSatisfy(\.isNumber) }) { return model }
        return model + "-2024-07-18"
    }

    var stream: Bool { json["stream"] == .bool(true) }
    var includeUsage: Bool { json["stream_options"]?["include_usage"] == .bool(true) }
    var replyWords: [String] { reply.split(separator: " ").map(String.init) }
    var completionTokens: Int { (toolCall == nil ? wordCount(reply) : 3) + reasoningTokens }

    /// Words across every piece of text in the input.
    static func words(in value: JSONValue?) -> Int {
        switch value {
        case .string(let text)?: wordCount(text)
        case .array(let items)?: items.reduce(0) { $0 + words(in: $1) }
        case .object(let members)?: words(in: members["content"]) + words(in: members["text"])
        default: 0
        }
    }

    func chatUsage(promptTokens: Int) -> JSONValue {
        .object([
            "prompt_tokens": .number(Double(promptTokens)), "completion_tokens": .number(Double(completionTokens)),
            "total_tokens": .number(Double(promptTokens + completionTokens)),
            "prompt_tokens_details": .object(["cached_tokens": .number(Double(cachedTokens))]),
            "completion_tokens_details": .object(["reasoning_tokens": .number(Double(reasoningTokens))]),
        ])
    }

    // MARK: Chat Completions

    func chat() -> Response {
        let promptTokens = max(1, Self.words(in: json["messages"]))
        let toolCallJSON: JSONValue? = toolCall.map { name in
            .object(["id": .string("call_\(id)"), "type": .string("function"), "function": .object(["name": .string(name), "arguments": .string(#"{"city":"Paris"}"#)])])
        }
        guard stream else {
            var message: [String: JSONValue] = ["role": .string("assistant"), "content": toolCall == nil ? .string(reply) : .null, "refusal": .null]
            if let toolCallJSON { message["tool_calls"] = .array([toolCallJSON]) }
            return FakeResponder.json(.object([
                "id": .string("chatcmpl-\(id)"), "object": .string("chat.completion"), "created": .number(Double(created)),
                "model": .string(reportedModel), "system_fingerprint": .string("fp_fake"),
                "choices": .array([.object(["index": .number(0), "message": .object(message), "logprobs": .null, "finish_reason": .string(toolCall == nil ? "stop" : "tool_calls")])]),
                "usage": chatUsage(promptTokens: promptTokens),
            ]))
        }
        func chunk(_ delta: [String: JSONValue], finish: String? = nil) -> String {
            var object: [String: JSONValue] = [
                "id": .string("chatcmpl-\(id)"), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
                "model": .string(reportedModel), "system_fingerprint": .string("fp_fake"),
                "choices": .array([.object(["index": .number(0), "delta": .object(delta), "logprobs": .null, "finish_reason": finish.map(JSONValue.string) ?? .null])]),
            ]
            if includeUsage { object["usage"] = .null }
            return "data: \(JSONValue.object(object).jsonText)\n\n"
        }
        var events = [chunk(["role": .string("assistant"), "content": .string(""), "refusal": .null])]
        if let name = toolCall {
            events.append(chunk(["tool_calls": .array([.object(["index": .number(0), "id": .string("call_\(id)"), "type": .string("function"), "function": .object(["name": .string(name), "arguments": .string("")])])])]))
            for piece in [#"{"ci"#, #"ty":"Pa"#, #"ris"}"#] {
                events.append(chunk(["tool_calls": .array([.object(["index": .number(0), "function": .object(["arguments": .string(piece)])])])]))
            }
            events.append(chunk([:], finish: "tool_calls"))
        } else {
            let words = replyWords
            for (index, word) in words.enumerated() {
                events.append(chunk(["content": .string(index == words.count - 1 ? word : word + " ")]))
            }
            events.append(chunk([:], finish: "stop"))
        }
        if includeUsage {
            let usage = JSONValue.object([
                "id": .string("chatcmpl-\(id)"), "object": .string("chat.completion.chunk"), "created": .number(Double(created)),
                "model": .string(reportedModel), "system_fingerprint": .string("fp_fake"), "choices": .array([]),
                "usage": chatUsage(promptTokens: promptTokens),
            ])
            events.append("data: \(usage.jsonText)\n\n")
        }
        events.append("data: [DONE]\n\n")
        return eventStream(events)
    }

    // MARK: Completions

    func completion() -> Response {
        let promptTokens = max(1, Self.words(in: json["prompt"]))
        guard stream else {
            return FakeResponder.json(.object([
                "id": .string("cmpl-\(id)"), "object": .string("text_completion"), "created": .number(Double(created)), "model": .string(reportedModel),
                "choices": .array([.object(["index": .number(0), "text": .string(reply), "logprobs": .null, "finish_reason": .string("stop")])]),
                "usage": chatUsage(promptTokens: promptTokens),
            ]))
        }
        func chunk(_ text: String, finish: String?, choices: Bool = true) -> String {
            var object: [String: JSONValue] = [
                "id": .string("cmpl-\(id)"), "object": .string("text_completion"), "created": .number(Double(created)), "model": .string(reportedModel),
                "choices": .array(choices ? [.object(["index": .number(0), "text": .string(text), "logprobs": .null, "finish_reason": finish.map(JSONValue.string) ?? .null])] : []),
            ]
            if includeUsage { object["usage"] = choices ? .null : chatUsage(promptTokens: promptTokens) }
            return "data: \(JSONValue.object(object).jsonText)\n\n"
        }
        let words = replyWords
        var events = words.enumerated().map { index, word in chunk(index == words.count - 1 ? word : word + " ", finish: nil) }
        events.append(chunk("", finish: "stop"))
        if includeUsage { events.append(chunk("", finish: nil, choices: false)) }
        events.append("data: [DONE]\n\n")
        return eventStream(events)
    }

    // MARK: Embeddings

    func embeddings() -> Response {
        let inputs: [JSONValue] = if case .array(let items)? = json["input"] { items } else { [json["input"] ?? .string("")] }
        let dimensions = json["dimensions"].flatMap { if case .number(let n) = $0 { Int(n) } else { nil } } ?? 8
        let base64 = json["encoding_format"] == .string("base64")
        var tokens = 0
        var data: [JSONValue] = []
        for (index, input) in inputs.enumerated() {
            let text: String
            switch input {
            case .array(let tokenIDs):
                tokens += tokenIDs.count
                text = tokenIDs.map { $0.jsonText }.joined(separator: " ")
            default:
                text = input.stringValue ?? ""
                tokens += wordCount(text)
            }
            let vector = Self.vector(for: text, dimensions: dimensions)
            let embedding: JSONValue
            if base64 {
                var bytes: [UInt8] = []
                for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
                embedding = .string(Data(bytes).base64EncodedString())
            } else {
                embedding = .array(vector.map { .number(Double($0)) })
            }
            data.append(.object(["object": .string("embedding"), "index": .number(Double(index)), "embedding": embedding]))
        }
        return FakeResponder.json(.object([
            "object": .string("list"), "data": .array(data), "model": .string(model),
            "usage": .object(["prompt_tokens": .number(Double(tokens)), "total_tokens": .number(Double(tokens))]),
        ]))
    }

    /// A deterministic unit-ish vector derived from the text's bytes.
    static func vector(for text: String, dimensions: Int) -> [Float] {
        var state: UInt64 = 1469598103934665603
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 1099511628211 }
        return (0..<max(1, dimensions)).map { index in
            state = state &* 6364136223846793005 &+ UInt64(index) &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    // MARK: Responses

    func responses() -> Response {
        let inputTokens = max(1, Self.words(in: json["input"]) + Self.words(in: json["instructions"]))
        let outputTokens = wordCount(reply) + reasoningTokens
        let messageID = "msg_\(id)"
        let textPart = JSONValue.object(["type": .string("output_text"), "text": .string(reply), "annotations": .array([])])
        let message = JSONValue.object([
            "type": .string("message"), "id": .string(messageID), "status": .string("completed"), "role": .string("assistant"), "content": .array([textPart]),
        ])
        func response(status: String, output: [JSONValue], usage: Bool) -> JSONValue {
            .object([
                "id": .string("resp_\(id)"), "object": .string("response"), "created_at": .number(Double(created)), "status": .string(status),
                "model": .string(reportedModel), "output": .array(output),
                "usage": usage ? .object([
                    "input_tokens": .number(Double(inputTokens)), "input_tokens_details": .object(["cached_tokens": .number(Double(cachedTokens))]),
                    "output_tokens": .number(Double(outputTokens)), "output_tokens_details": .object(["reasoning_tokens": .number(Double(reasoningTokens))]),
                    "total_tokens": .number(Double(inputTokens + outputTokens)),
                ]) : .null,
            ])
        }
        guard stream else { return FakeResponder.json(response(status: "completed", output: [message], usage: true)) }
        var sequence = 0
        var events: [String] = []
        func event(_ type: String, _ fields: [String: JSONValue]) {
            var object = fields
            object["type"] = .string(type)
            object["sequence_number"] = .number(Double(sequence))
            sequence += 1
            events.append("event: \(type)\ndata: \(JSONValue.object(object).jsonText)\n\n")
        }
        let inProgress = response(status: "in_progress", output: [], usage: false)
        event("response.created", ["response": inProgress])
        event("response.in_progress", ["response": inProgress])
        let emptyMessage = JSONValue.object(["type": .string("message"), "id": .string(messageID), "status": .string("in_progress"), "role": .string("assistant"), "content": .array([])])
        event("response.output_item.added", ["output_index": .number(0), "item": emptyMessage])
        let emptyPart = JSONValue.object(["type": .string("output_text"), "text": .string(""), "annotations": .array([])])
        event("response.content_part.added", ["item_id": .string(messageID), "output_index": .number(0), "content_index": .number(0), "part": emptyPart])
        let words = replyWords
        for (index, word) in words.enumerated() {
            event("response.output_text.delta", ["item_id": .string(messageID), "output_index": .number(0), "content_index": .number(0), "delta": .string(index == words.count - 1 ? word : word + " ")])
        }
        event("response.output_text.done", ["item_id": .string(messageID), "output_index": .number(0), "content_index": .number(0), "text": .string(reply)])
        event("response.content_part.done", ["item_id": .string(messageID), "output_index": .number(0), "content_index": .number(0), "part": textPart])
        event("response.output_item.done", ["output_index": .number(0), "item": message])
        event("response.completed", ["response": response(status: "completed", output: [message], usage: true)])
        return eventStream(events)
    }

    // MARK: Streaming

    /// Writes each event as its own write, honouring the chunk delay and the cut.
    func eventStream(_ events: [String]) -> Response {
        let delay = chunkDelayMs
        let cutAfter = cutAfter
        let body = ResponseBody { writer in
            for (index, event) in events.enumerated() {
                if let cutAfter, index >= cutAfter { throw FakeUpstreamError(description: "stream cut on purpose after \(cutAfter) events") }
                if delay > 0, index > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                try await writer.write(ByteBuffer(string: event))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"], body: body)
    }
}
