import Foundation
import LoupeCore

extension Trace {
    /// The GenAI operation name for this call's endpoint: `chat`, `text_completion`, `embeddings`, or the path's last part.
    public var genAIOperation: String {
        let path = endpoint.split(separator: "?").first.map(String.init) ?? endpoint
        switch path {
        case "/v1/chat/completions", "/v1/responses", "/v1/messages": return "chat"
        case "/v1/completions": return "text_completion"
        case "/v1/embeddings": return "embeddings"
        default: return path.split(separator: "/").last.map(String.init) ?? "chat"
        }
    }

    /// This proxied call as an OTLP span following the GenAI semantic conventions (kind CLIENT, named
    /// "{operation} {model}"). It joins the caller's trace when the call came with a `traceparent`
    /// (kept in metadata as `otel_trace_id`, `otel_parent_span_id`); otherwise its trace id is Loupe's trace id.
    /// Message content is included only when `captureContent` is true.
    public func otelSpan(captureContent: Bool) -> OTelSpan {
        let ownHex = id.replacingOccurrences(of: "-", with: "").lowercased()
        let ownBytes = OTLPBatch.bytes(hex: ownHex) ?? []
        let joined = metadata?["otel_trace_id"]?.stringValue.flatMap { id in OTLPBatch.bytes(hex: id)?.count == 16 ? id.lowercased() : nil }
        let traceID = joined ?? (ownBytes.count == 16 ? ownHex : OTLPBatch.hex((0..<16).map { _ in UInt8.random(in: 0...255) }))
        let parent = joined == nil ? nil : metadata?["otel_parent_span_id"]?.stringValue
        let spanID = ownBytes.count == 16 ? OTLPBatch.hex(ownBytes.suffix(8)) : OTLPBatch.hex((0..<8).map { _ in UInt8.random(in: 1...255) })

        let operation = genAIOperation
        var attributes: [String: JSONValue] = [
            "gen_ai.operation.name": .string(operation),
            "loupe.trace_id": .string(id),
        ]
        func set(_ key: String, _ value: JSONValue?) { if let value, value != .null { attributes[key] = value } }
        set("gen_ai.provider.name", provider.map(JSONValue.string))
        set("gen_ai.request.model", model.map(JSONValue.string))
        set("gen_ai.response.model", (upstreamModel ?? model).map(JSONValue.string))
        set("gen_ai.usage.input_tokens", usage.inputTokens.map { .number(Double($0)) })
        set("gen_ai.usage.output_tokens", usage.outputTokens.map { .number(Double($0)) })
        set("loupe.cost_usd", cost.map { .number(Double($0.picos) / Double(USD.picosPerDollar)) })
        set("loupe.stream", .bool(stream))
        set("http.response.status_code", .number(Double(statusCode)))
        if let keyName { set("loupe.key_name", .string(keyName)) }
        if let user { set("user.id", .string(user)) }
        if let sessionID { set("session.id", .string(sessionID)) }

        let requestBody = request.flatMap { JSONValue.parse($0) }
        let responseBody = response.flatMap { JSONValue.parse($0) }
        set("gen_ai.request.temperature", requestBody?["temperature"].flatMap { if case .number = $0 { $0 } else { nil } })
        set("gen_ai.request.max_tokens", (requestBody?["max_tokens"] ?? requestBody?["max_completion_tokens"] ?? requestBody?["max_output_tokens"])?.intValue.map { .number(Double($0)) })
        set("gen_ai.response.id", responseBody?["id"]?.stringValue.map(JSONValue.string))
        var finishReasons: [JSONValue] = []
        if case .array(let choices)? = responseBody?["choices"] {
            finishReasons = choices.compactMap { $0["finish_reason"]?.stringValue.map(JSONValue.string) }
        } else if let reason = responseBody?["stop_reason"]?.stringValue ?? responseBody?["status"]?.stringValue {
            finishReasons = [.string(reason)]
        }
        if !finishReasons.isEmpty { attributes["gen_ai.response.finish_reasons"] = .array(finishReasons) }
        if status != .ok { set("error.type", .string(error.map { _ in String(statusCode) } ?? status.rawValue)) }

        if captureContent {
            set("gen_ai.input.messages", (requestBody?["messages"] ?? requestBody?["input"] ?? requestBody?["prompt"]).map { .string($0.jsonText) })
            if case .array(let choices)? = responseBody?["choices"] {
                let messages = choices.compactMap { $0["message"] ?? ($0["text"].map { JSONValue.object(["role": .string("assistant"), "content": $0]) }) }
                set("gen_ai.output.messages", .string(JSONValue.array(messages).jsonText))
            } else if let response {
                set("gen_ai.output.messages", .string(response))
            }
        }

        let start = UInt64(max(0, createdAt.timeIntervalSince1970 * 1_000_000_000))
        return OTelSpan(
            traceID: traceID, spanID: spanID, parentSpanID: parent, name: model.map { "\(operation) \($0)" } ?? operation, kind: 3,
            startTimeUnixNano: start, endTimeUnixNano: start + UInt64(max(0, latencyMs * 1_000_000)), attributes: attributes,
            statusCode: status == .ok ? 0 : 2, statusMessage: status == .ok ? nil : (error ?? status.rawValue)
        )
    }
}
