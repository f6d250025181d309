extension FakeCall {
    /// `POST /v1/messages`: an Anthropic `message`, or Anthropic's typed events when streaming.
    ///
    /// `input_tokens` are the words in `messages` and `system` less the cache reads and writes that
    /// `x-fake-cache-read-tokens` and `x-fake-cache-write-tokens` report, as Anthropic counts them apart.
    func anthropicMessage() -> FakeAnswer {
        let id = Self.identifier("msg_01", length: 22)
        let words = Self.tokens(in: request["messages"]) + Self.tokens(in: request["system"])
        let cacheRead = max(0, cacheReadTokens)
        let cacheWrite = max(0, cacheWriteTokens)
        let inputTokens = max(0, words - cacheRead - cacheWrite)
        let stopReason = toolCall == nil ? "end_turn" : "tool_use"
        let toolID = toolCall == nil ? "" : Self.identifier("toolu_01", length: 22)

        func usage(outputTokens: Int) -> FakeJSON {
            [
                "input_tokens": .int(inputTokens),
                "cache_creation_input_tokens": .int(cacheWrite),
                "cache_read_input_tokens": .int(cacheRead),
                "output_tokens": .int(outputTokens),
            ]
        }
        func message(content: [FakeJSON], stopReason: String?, usage: FakeJSON) -> FakeJSON {
            [
                "id": .string(id),
                "type": "message",
                "role": "assistant",
                "model": .string(model),
                "content": .array(content),
                "stop_reason": stopReason.map(FakeJSON.string) ?? .null,
                "stop_sequence": .null,
                "usage": usage,
            ]
        }

        guard stream else {
            let block: FakeJSON =
                if let toolCall {
                    ["type": "tool_use", "id": .string(toolID), "name": .string(toolCall), "input": ["city": "Paris"]]
                } else {
                    ["type": "text", "text": .string(reply)]
                }
            return FakeReply.json(message(content: [block], stopReason: stopReason, usage: usage(outputTokens: completionTokens)))
        }

        var events: [String] = []
        func event(_ type: String, _ fields: [(key: String, value: FakeJSON)] = []) {
            var event = "event: " + type + "\ndata: "
            FakeJSON.object([(key: "type", value: .string(type))] + fields).write(to: &event)
            event += "\n\n"
            events.append(event)
        }
        // Anthropic reports the input at the start and a first output token before any text.
        event("message_start", [(key: "message", value: message(content: [], stopReason: nil, usage: usage(outputTokens: 1)))])
        let startBlock: FakeJSON =
            if let toolCall {
                ["type": "tool_use", "id": .string(toolID), "name": .string(toolCall), "input": [:]]
            } else {
                ["type": "text", "text": ""]
            }
        event("content_block_start", [(key: "index", value: 0), (key: "content_block", value: startBlock)])
        event("ping")
        if toolCall != nil {
            for piece in Self.thirds(of: Self.toolArguments) {
                event("content_block_delta", [(key: "index", value: 0), (key: "delta", value: ["type": "input_json_delta", "partial_json": .string(piece)])])
            }
        } else {
            for piece in replyPieces {
                event("content_block_delta", [(key: "index", value: 0), (key: "delta", value: ["type": "text_delta", "text": .string(piece)])])
            }
        }
        event("content_block_stop", [(key: "index", value: 0)])
        event("message_delta", [
            (key: "delta", value: ["stop_reason": .string(stopReason), "stop_sequence": .null]),
            (key: "usage", value: ["output_tokens": .int(completionTokens)]),
        ])
        event("message_stop")
        return eventStream(events)
    }
}
