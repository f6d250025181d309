import Foundation
import LoupeCore
import PostgresNIO

/// Many traces in one INSERT: each column travels as one array parameter and `unnest` turns the arrays back into rows.
enum PostgresTraceInsert {
    /// Bounds per statement, so that a batch of large bodies stays far below PostgreSQL's 1 GB message limit.
    /// Larger statements gain nothing measurable; a bigger batch becomes several statements in one transaction.
    static let maxRows = 2_000
    static let maxBodyBytes = 32 << 20

    /// Splits `traces`, in order, into statements within the bounds above.
    static func statements(for traces: [Trace]) -> [PostgresQuery] {
        var queries: [PostgresQuery] = []
        var start = traces.startIndex
        var bytes = 0
        for index in traces.indices {
            let size = (traces[index].request?.utf8.count ?? 0) + (traces[index].response?.utf8.count ?? 0)
            if index > start, index - start == maxRows || bytes + size > maxBodyBytes {
                queries.append(query(traces[start..<index]))
                start = index
                bytes = 0
            }
            bytes += size
        }
        if start < traces.endIndex { queries.append(query(traces[start...])) }
        return queries
    }

    /// One statement inserting `traces` and returning the ids it added; ids already stored (or repeated in the batch) are skipped.
    static func query(_ traces: ArraySlice<Trace>) -> PostgresQuery {
        var ids: [String] = [], createdAt: [Int64] = [], endpoints: [String] = []
        var providers: [String?] = [], models: [String?] = [], upstreamModels: [String?] = []
        var streams: [Bool] = [], statuses: [String] = [], statusCodes: [Int32] = [], errors: [String?] = []
        var latencies: [Double] = [], ttfts: [Double?] = []
        var inputTokens: [Int64?] = [], outputTokens: [Int64?] = [], cachedTokens: [Int64?] = [], reasoningTokens: [Int64?] = []
        var costs: [Int64?] = [], users: [String?] = [], sessions: [String?] = [], tags: [String] = [], metadata: [String?] = []
        var requests: [String?] = [], responses: [String?] = [], requestTruncated: [Bool] = [], responseTruncated: [Bool] = []
        for trace in traces {
            ids.append(text(trace.id))
            createdAt.append(trace.createdAt.unixMillis)
            endpoints.append(text(trace.endpoint))
            providers.append(trace.provider.map(text))
            models.append(trace.model.map(text))
            upstreamModels.append(trace.upstreamModel.map(text))
            streams.append(trace.stream)
            statuses.append(trace.status.rawValue)
            statusCodes.append(Int32(clamping: trace.statusCode))
            errors.append(trace.error.map(text))
            latencies.append(trace.latencyMs)
            ttfts.append(trace.ttftMs)
            inputTokens.append(trace.usage.inputTokens.map(Int64.init))
            outputTokens.append(trace.usage.outputTokens.map(Int64.init))
            cachedTokens.append(trace.usage.cachedInputTokens.map(Int64.init))
            reasoningTokens.append(trace.usage.reasoningTokens.map(Int64.init))
            costs.append(trace.cost?.picos)
            users.append(trace.user.map(text))
            sessions.append(trace.sessionID.map(text))
            // An array literal per row, because a parameter cannot be a ragged array; the SELECT casts it.
            tags.append(arrayLiteral(trace.tags))
            metadata.append(trace.metadata.map { text(JSONValue.object($0).jsonText) })
            requests.append(trace.request.map(text))
            responses.append(trace.response.map(text))
            requestTruncated.append(trace.requestTruncated)
            responseTruncated.append(trace.responseTruncated)
        }
        return """
            INSERT INTO traces (
                id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
                input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id, tags, metadata,
                request, response, request_truncated, response_truncated
            )
            SELECT id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
                input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id,
                tags_literal::text[],
                metadata, request, response, request_truncated, response_truncated
            FROM unnest(
                \(ids)::text[], \(createdAt)::int8[], \(endpoints)::text[], \(PostgresNullableArray(providers))::text[],
                \(PostgresNullableArray(models))::text[], \(PostgresNullableArray(upstreamModels))::text[], \(streams)::bool[],
                \(statuses)::text[], \(statusCodes)::int4[], \(PostgresNullableArray(errors))::text[], \(latencies)::float8[],
                \(PostgresNullableArray(ttfts))::float8[], \(PostgresNullableArray(inputTokens))::int8[],
                \(PostgresNullableArray(outputTokens))::int8[], \(PostgresNullableArray(cachedTokens))::int8[],
                \(PostgresNullableArray(reasoningTokens))::int8[], \(PostgresNullableArray(costs))::int8[],
                \(PostgresNullableArray(users))::text[], \(PostgresNullableArray(sessions))::text[], \(tags)::text[],
                \(PostgresNullableArray(metadata))::text[], \(PostgresNullableArray(requests))::text[],
                \(PostgresNullableArray(responses))::text[], \(requestTruncated)::bool[], \(responseTruncated)::bool[]
            ) AS u(
                id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
                input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id, tags_literal, metadata,
                request, response, request_truncated, response_truncated
            )
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """
    }

    /// `{"a","b \"c\""}`: each element quoted, with `"` and `\` escaped, as array_in reads it.
    static func arrayLiteral(_ elements: [String]) -> String {
        var literal = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            literal += text(element).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            literal += "\""
        }
        return literal + "}"
    }

    /// PostgreSQL text cannot hold NUL, so it becomes U+FFFD rather than failing the whole batch.
    static func text(_ string: String) -> String { string.withoutNUL }
}
