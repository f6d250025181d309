extension FakeCall {
    /// `POST /v1/completions`: a legacy `text_completion`, streamed like chat when asked.
    func completion() -> FakeAnswer {
        let id = Self.identifier("cmpl-", length: 29)
        let promptTokens = max(1, Self.tokens(in: request["prompt"]))

        func object(choices: [FakeJSON], usage: FakeJSON?) -> FakeJSON {
            var members: [(key: String, value: FakeJSON)] = [
                (key: "id", value: .string(id)),
                (key: "object", value: "text_completion"),
                (key: "created", value: .int(created)),
                (key: "model", value: .string(reportedModel)),
                (key: "choices", value: .array(choices)),
            ]
            if let usage { members.append((key: "usage", value: usage)) }
            return .object(members)
        }
        func choice(_ text: String, finishReason: String?) -> FakeJSON {
            ["text": .string(text), "index": 0, "logprobs": .null, "finish_reason": finishReason.map(FakeJSON.string) ?? .null]
        }

        guard stream else {
            return FakeReply.json(object(choices: [choice(reply, finishReason: "stop")], usage: usage(promptTokens: promptTokens)))
        }
        let chunkUsage: FakeJSON? = includeUsage ? .null : nil
        var events = replyPieces.map { Self.dataEvent(object(choices: [choice($0, finishReason: nil)], usage: chunkUsage)) }
        events.append(Self.dataEvent(object(choices: [choice("", finishReason: "stop")], usage: chunkUsage)))
        if includeUsage {
            events.append(Self.dataEvent(object(choices: [], usage: usage(promptTokens: promptTokens))))
        }
        events.append("data: [DONE]\n\n")
        return eventStream(events)
    }
}
