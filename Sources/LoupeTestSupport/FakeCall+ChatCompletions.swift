extension FakeCall {
    /// The arguments of the fake's tool call.
    static let toolArguments = #"{"city":"Paris"}"#

    /// `POST /v1/chat/completions`: a `chat.completion`, or `chat.completion.chunk` events when streaming.
    func chatCompletion() -> FakeAnswer {
        let id = Self.identifier("chatcmpl-", length: 29)
        let promptTokens = max(1, Self.tokens(in: request["messages"]))
        let callID = toolCall == nil ? "" : Self.identifier("call_", length: 24)
        guard stream else {
            var message: [(key: String, value: FakeJSON)] = [
                (key: "role", value: "assistant"),
                (key: "content", value: toolCall == nil ? .string(reply) : .null),
                (key: "refusal", value: .null),
            ]
            if let toolCall {
                let call: FakeJSON = [
                    "id": .string(callID),
                    "type": "function",
                    "function": ["name": .string(toolCall), "arguments": .string(Self.toolArguments)],
                ]
                message.append((key: "tool_calls", value: [call]))
            }
            let choice: FakeJSON = [
                "index": 0,
                "message": .object(message),
                "logprobs": .null,
                "finish_reason": toolCall == nil ? "stop" : "tool_calls",
            ]
            return FakeReply.json([
                "id": .string(id),
                "object": "chat.completion",
                "created": .int(created),
                "model": .string(reportedModel),
                "choices": [choice],
                "usage": usage(promptTokens: promptTokens),
                "system_fingerprint": "fp_fake",
            ])
        }

        func chunk(_ delta: FakeJSON, finishReason: String? = nil) -> String {
            let choice: FakeJSON = [
                "index": 0,
                "delta": delta,
                "logprobs": .null,
                "finish_reason": finishReason.map(FakeJSON.string) ?? .null,
            ]
            var members: [(key: String, value: FakeJSON)] = [
                (key: "id", value: .string(id)),
                (key: "object", value: "chat.completion.chunk"),
                (key: "created", value: .int(created)),
                (key: "model", value: .string(reportedModel)),
                (key: "system_fingerprint", value: "fp_fake"),
                (key: "choices", value: [choice]),
            ]
            if includeUsage { members.append((key: "usage", value: .null)) }
            return Self.dataEvent(.object(members))
        }

        var events = [chunk(["role": "assistant", "content": "", "refusal": .null])]
        if let toolCall {
            let start: FakeJSON = [
                "index": 0,
                "id": .string(callID),
                "type": "function",
                "function": ["name": .string(toolCall), "arguments": ""],
            ]
            events.append(chunk(["tool_calls": [start]]))
            for piece in Self.thirds(of: Self.toolArguments) {
                events.append(chunk(["tool_calls": [["index": 0, "function": ["arguments": .string(piece)]]]]))
            }
            events.append(chunk([:], finishReason: "tool_calls"))
        } else {
            for piece in replyPieces {
                events.append(chunk(["content": .string(piece)]))
            }
            events.append(chunk([:], finishReason: "stop"))
        }
        if includeUsage {
            events.append(Self.dataEvent([
                "id": .string(id),
                "object": "chat.completion.chunk",
                "created": .int(created),
                "model": .string(reportedModel),
                "system_fingerprint": "fp_fake",
                "choices": [],
                "usage": usage(promptTokens: promptTokens),
            ]))
        }
        events.append("data: [DONE]\n\n")
        return eventStream(events)
    }

    /// `text` in three pieces, as a model streams a tool call's arguments.
    static func thirds(of text: String) -> [String] {
        let characters = Array(text)
        let size = max(1, (characters.count + 2) / 3)
        return stride(from: 0, to: characters.count, by: size).map { String(characters[$0..<min($0 + size, characters.count)]) }
    }
}
