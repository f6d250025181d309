extension FakeCall {
    /// `POST /v1/responses`: a `response` object, or the Responses API's typed events when streaming.
    func response() -> FakeAnswer {
        let hex: StaticString = "0123456789abcdef"
        let id = Self.identifier("resp_", length: 48, alphabet: hex)
        let messageID = Self.identifier("msg_", length: 48, alphabet: hex)
        let inputTokens = max(1, Self.tokens(in: request["input"]) + Self.tokens(in: request["instructions"]))
        let outputTokens = Self.wordCount(reply) + reasoningTokens
        let usage: FakeJSON = [
            "input_tokens": .int(inputTokens),
            "input_tokens_details": ["cached_tokens": .int(cachedTokens)],
            "output_tokens": .int(outputTokens),
            "output_tokens_details": ["reasoning_tokens": .int(reasoningTokens)],
            "total_tokens": .int(inputTokens + outputTokens),
        ]
        let text: FakeJSON = ["type": "output_text", "annotations": [], "logprobs": [], "text": .string(reply)]
        let message: FakeJSON = [
            "id": .string(messageID),
            "type": "message",
            "status": "completed",
            "content": [text],
            "role": "assistant",
        ]

        func object(status: String, output: [FakeJSON], usage: FakeJSON) -> FakeJSON {
            [
                "id": .string(id),
                "object": "response",
                "created_at": .int(created),
                "status": .string(status),
                "background": false,
                "error": .null,
                "incomplete_details": .null,
                "instructions": request["instructions"] ?? .null,
                "max_output_tokens": request["max_output_tokens"] ?? .null,
                "model": .string(reportedModel),
                "output": .array(output),
                "parallel_tool_calls": true,
                "previous_response_id": request["previous_response_id"] ?? .null,
                "reasoning": ["effort": .null, "summary": .null],
                "service_tier": "default",
                "store": true,
                "temperature": .double(1),
                "text": ["format": ["type": "text"]],
                "tool_choice": "auto",
                "tools": request["tools"] ?? [],
                "top_p": .double(1),
                "truncation": "disabled",
                "usage": usage,
                "user": .null,
                "metadata": request["metadata"] ?? [:],
            ]
        }

        guard stream else {
            return FakeReply.json(object(status: "completed", output: [message], usage: usage))
        }
        var events: [String] = []
        func event(_ type: String, _ fields: [(key: String, value: FakeJSON)]) {
            let members = [(key: "type", value: FakeJSON.string(type))] + fields + [(key: "sequence_number", value: FakeJSON.int(events.count))]
            var event = "event: " + type + "\ndata: "
            FakeJSON.object(members).write(to: &event)
            event += "\n\n"
            events.append(event)
        }
        let position: [(key: String, value: FakeJSON)] = [
            (key: "item_id", value: .string(messageID)),
            (key: "output_index", value: 0),
            (key: "content_index", value: 0),
        ]
        let inProgress = object(status: "in_progress", output: [], usage: .null)
        event("response.created", [(key: "response", value: inProgress)])
        event("response.in_progress", [(key: "response", value: inProgress)])
        let emptyMessage: FakeJSON = [
            "id": .string(messageID),
            "type": "message",
            "status": "in_progress",
            "content": [],
            "role": "assistant",
        ]
        event("response.output_item.added", [(key: "output_index", value: 0), (key: "item", value: emptyMessage)])
        let emptyText: FakeJSON = ["type": "output_text", "annotations": [], "logprobs": [], "text": ""]
        event("response.content_part.added", position + [(key: "part", value: emptyText)])
        for piece in replyPieces {
            event("response.output_text.delta", position + [(key: "delta", value: .string(piece)), (key: "logprobs", value: [])])
        }
        event("response.output_text.done", position + [(key: "text", value: .string(reply)), (key: "logprobs", value: [])])
        event("response.content_part.done", position + [(key: "part", value: text)])
        event("response.output_item.done", [(key: "output_index", value: 0), (key: "item", value: message)])
        event("response.completed", [(key: "response", value: object(status: "completed", output: [message], usage: usage))])
        return eventStream(events)
    }
}
