import Foundation
import LoupeCore

/// The spool's own encoding of a trace: every field kept exactly, bodies as the strings they were.
extension Trace {
    /// The trace as one JSON object for the spool file.
    var spoolRecord: JSONValue {
        var record: [String: JSONValue] = [
            "id": .string(id),
            "created_at_ms": .number((createdAt.timeIntervalSince1970 * 1000).rounded(.down)),
            "endpoint": .string(endpoint),
            "stream": .bool(stream),
            "status": .string(status.rawValue),
            "status_code": .number(Double(statusCode)),
            "latency_ms": .number(latencyMs),
            "tags": .array(tags.map(JSONValue.string)),
            "request_truncated": .bool(requestTruncated),
            "response_truncated": .bool(responseTruncated),
        ]
        func put(_ key: String, _ value: String?) { if let value { record[key] = .string(value) } }
        func put(_ key: String, _ value: Int?) { if let value { record[key] = .number(Double(value)) } }
        put("provider", provider)
        put("model", model)
        put("upstream_model", upstreamModel)
        put("error", error)
        if let ttftMs { record["ttft_ms"] = .number(ttftMs) }
        put("input_tokens", usage.inputTokens)
        put("output_tokens", usage.outputTokens)
        put("cached_input_tokens", usage.cachedInputTokens)
        put("reasoning_tokens", usage.reasoningTokens)
        put("cache_write_input_tokens", usage.cacheWriteInputTokens)
        // A string, because picos can exceed the integers a double holds exactly.
        put("cost_picos", cost.map { String($0.picos) })
        put("user", user)
        put("session_id", sessionID)
        put("prompt_name", promptName)
        put("prompt_version", promptVersion)
        put("key_id", keyID)
        put("key_name", keyName)
        put("variant", variant)
        put("parent_trace_id", parentTraceID)
        if cacheHit { record["cache_hit"] = .bool(true) }
        put("cost_saved_picos", costSaved.map { String($0.picos) })
        if !attempts.isEmpty { record["attempts"] = .array(attempts.map(\.json)) }
        if let metadata { record["metadata"] = .object(metadata) }
        if !guardrails.isEmpty { record["guardrails"] = .array(guardrails.map(\.json)) }
        put("request", request)
        put("response", response)
        return .object(record)
    }

    /// Reads a trace back from its spool record; nil if the record is not one.
    init?(spoolRecord value: JSONValue) {
        guard case .object(let r) = value,
            let id = r["id"]?.stringValue, let endpoint = r["endpoint"]?.stringValue,
            case .number(let millis)? = r["created_at_ms"], case .bool(let stream)? = r["stream"],
            let status = r["status"]?.stringValue.flatMap(TraceStatus.init(rawValue:)),
            case .number(let code)? = r["status_code"], case .number(let latency)? = r["latency_ms"],
            case .array(let tags)? = r["tags"],
            case .bool(let requestTruncated)? = r["request_truncated"], case .bool(let responseTruncated)? = r["response_truncated"]
        else { return nil }
        func int(_ key: String) -> Int? { if case .number(let n)? = r[key] { Int(n) } else { nil } }
        var metadata: [String: JSONValue]?
        if case .object(let members)? = r["metadata"] { metadata = members }
        var ttft: Double?
        if case .number(let n)? = r["ttft_ms"] { ttft = n }
        self.init(
            id: id,
            createdAt: Date(timeIntervalSince1970: millis / 1000),
            endpoint: endpoint,
            provider: r["provider"]?.stringValue,
            model: r["model"]?.stringValue,
            upstreamModel: r["upstream_model"]?.stringValue,
            stream: stream,
            status: status,
            statusCode: Int(code),
            error: r["error"]?.stringValue,
            latencyMs: latency,
            ttftMs: ttft,
            usage: TokenUsage(
                inputTokens: int("input_tokens"), outputTokens: int("output_tokens"),
                cachedInputTokens: int("cached_input_tokens"), reasoningTokens: int("reasoning_tokens"),
                cacheWriteInputTokens: int("cache_write_input_tokens")
            ),
            cost: r["cost_picos"]?.stringValue.flatMap(Int64.init).map(USD.init(picos:)),
            user: r["user"]?.stringValue,
            sessionID: r["session_id"]?.stringValue,
            tags: tags.compactMap(\.stringValue),
            metadata: metadata,
            request: r["request"]?.stringValue,
            response: r["response"]?.stringValue,
            requestTruncated: requestTruncated,
            responseTruncated: responseTruncated,
            promptName: r["prompt_name"]?.stringValue,
            promptVersion: int("prompt_version"),
            guardrails: { if case .array(let items)? = r["guardrails"] { items.compactMap(GuardrailResult.init(json:)) } else { [] } }(),
            keyID: r["key_id"]?.stringValue,
            keyName: r["key_name"]?.stringValue,
            variant: r["variant"]?.stringValue,
            parentTraceID: r["parent_trace_id"]?.stringValue,
            cacheHit: r["cache_hit"] == .bool(true),
            costSaved: r["cost_saved_picos"]?.stringValue.flatMap(Int64.init).map(USD.init(picos:)),
            attempts: { if case .array(let items)? = r["attempts"] { items.compactMap(TraceAttempt.init(json:)) } else { [] } }()
        )
    }
}
