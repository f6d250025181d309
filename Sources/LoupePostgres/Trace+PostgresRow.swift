import Foundation
import LoupeCore
import PostgresNIO

extension Trace {
    /// The columns `init(postgresRow:)` reads, in a form to put after SELECT.
    static let postgresColumns = """
        id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
        input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id, tags, metadata,
        request, response, request_truncated, response_truncated, prompt_name, prompt_version, guardrails::text AS guardrails,
        cache_write_input_tokens, key_id, key_name, variant, parent_trace_id, cache_hit, cost_saved_picos, attempts::text AS attempts
        """

    /// Reads a row of the `traces` table selected with `postgresColumns`.
    init(postgresRow: PostgresRow) throws {
        let row = postgresRow.makeRandomAccess()
        let millis = try row["created_at"].decode(Int64.self)
        var metadata: [String: JSONValue]?
        if let text = try row["metadata"].decode(String?.self), case .object(let members)? = JSONValue.parse(text) {
            metadata = members
        }
        self.init(
            id: try row["id"].decode(String.self),
            createdAt: Date(timeIntervalSince1970: Double(millis) / 1000),
            endpoint: try row["endpoint"].decode(String.self),
            provider: try row["provider"].decode(String?.self),
            model: try row["model"].decode(String?.self),
            upstreamModel: try row["upstream_model"].decode(String?.self),
            stream: try row["stream"].decode(Bool.self),
            status: TraceStatus(rawValue: try row["status"].decode(String.self)) ?? .error,
            statusCode: try row["status_code"].decode(Int.self),
            error: try row["error"].decode(String?.self),
            latencyMs: try row["latency_ms"].decode(Double.self),
            ttftMs: try row["ttft_ms"].decode(Double?.self),
            usage: TokenUsage(
                inputTokens: try row["input_tokens"].decode(Int?.self),
                outputTokens: try row["output_tokens"].decode(Int?.self),
                cachedInputTokens: try row["cached_input_tokens"].decode(Int?.self),
                reasoningTokens: try row["reasoning_tokens"].decode(Int?.self),
                cacheWriteInputTokens: try row["cache_write_input_tokens"].decode(Int?.self)
            ),
            cost: try row["cost_picos"].decode(Int64?.self).map(USD.init(picos:)),
            user: try row["user_id"].decode(String?.self),
            sessionID: try row["session_id"].decode(String?.self),
            tags: try row["tags"].decode([String].self),
            metadata: metadata,
            request: try row["request"].decode(String?.self),
            response: try row["response"].decode(String?.self),
            requestTruncated: try row["request_truncated"].decode(Bool.self),
            responseTruncated: try row["response_truncated"].decode(Bool.self),
            promptName: try row["prompt_name"].decode(String?.self),
            promptVersion: try row["prompt_version"].decode(Int?.self),
            guardrails: GuardrailResult.fromStoredJSON(try row["guardrails"].decode(String?.self)),
            keyID: try row["key_id"].decode(String?.self),
            keyName: try row["key_name"].decode(String?.self),
            variant: try row["variant"].decode(String?.self),
            parentTraceID: try row["parent_trace_id"].decode(String?.self),
            cacheHit: try row["cache_hit"].decode(Bool.self),
            costSaved: try row["cost_saved_picos"].decode(Int64?.self).map(USD.init(picos:)),
            attempts: TraceAttempt.fromStoredJSON(try row["attempts"].decode(String?.self))
        )
    }
}
