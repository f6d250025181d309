import Foundation
import LoupeCore
import PostgresNIO

/// Many traces in one statement: each column travels as one array parameter and `unnest` turns the arrays
/// back into rows. The same statement adds the traces' totals, counted in Swift as the SQLite store counts them,
/// to `cost_rollups`, so each statement is atomic on its own: no transaction is held open across round trips,
/// and no lock either.
///
/// The statement expects every trace to be new, which is the usual case, and then does no more than insert:
/// no `ON CONFLICT` check per row, no `RETURNING`. When one was stored already (a batch replayed after an outage),
/// the primary key refuses it, the whole statement rolls back, and the store inserts the rest (`PostgresTraceStore.insert`).
enum PostgresTraceInsert {
    /// Bounds per statement, so that a batch of large bodies stays far below PostgreSQL's 1 GB message limit.
    /// Larger statements gain nothing measurable; a bigger batch becomes several statements.
    static let maxRows = 2_000
    static let maxBodyBytes = 32 << 20
    /// A batch of at least twice this many traces is split in two statements, which the store runs at once on two
    /// connections: one waits for its commit's WAL flush or for the client while the other works.
    static let minRowsToSplit = 128

    /// Splits `batch`, in order and without repeated ids, into one statement's traces each, within the bounds
    /// above. Parts alternate between rollup shards 0 and 1, so that two statements run at once without waiting
    /// on each other.
    static func parts(of batch: [Trace]) -> [(traces: ArraySlice<Trace>, shard: Int16)] {
        // A repeated id would make its statement fail on its own primary key, whatever the store holds.
        var seen = Set<String>()
        let traces = batch.filter { seen.insert(text($0.id)).inserted }
        var parts: [(traces: ArraySlice<Trace>, shard: Int16)] = []
        let rowsPerStatement = traces.count >= 2 * minRowsToSplit ? min(maxRows, (traces.count + 1) / 2) : maxRows
        var start = traces.startIndex
        var bytes = 0
        for index in traces.indices {
            let size = (traces[index].request?.utf8.count ?? 0) + (traces[index].response?.utf8.count ?? 0)
            if index > start, index - start == rowsPerStatement || bytes + size > maxBodyBytes {
                parts.append((traces[start..<index], Int16(parts.count % 2)))
                start = index
                bytes = 0
            }
            bytes += size
        }
        if start < traces.endIndex { parts.append((traces[start...], Int16(parts.count % 2))) }
        return parts
    }

    /// One statement inserting `traces`, all new, and adding them to the rollups; it fails whole if any id is stored.
    static func query(_ traces: ArraySlice<Trace>, shard: Int16) -> PostgresQuery {
        var ids: [String] = [], createdAt: [Int64] = [], endpoints: [String] = []
        var providers: [String?] = [], models: [String?] = [], upstreamModels: [String?] = []
        var streams: [Bool] = [], statuses: [String] = [], statusCodes: [Int32] = [], errors: [String?] = []
        var latencies: [Double] = [], ttfts: [Double?] = []
        var inputTokens: [Int64?] = [], outputTokens: [Int64?] = [], cachedTokens: [Int64?] = [], reasoningTokens: [Int64?] = []
        var costs: [Int64?] = [], users: [String?] = [], sessions: [String?] = [], tags: [String] = [], metadata: [String?] = []
        var requests: [String?] = [], responses: [String?] = [], requestTruncated: [Bool] = [], responseTruncated: [Bool] = []
        var promptNames: [String?] = [], promptVersions: [Int32?] = []
        var guardrails: [String?] = [], cacheWriteTokens: [Int64?] = [], keyIDs: [String?] = [], keyNames: [String?] = []
        var variants: [String?] = [], parents: [String?] = [], cacheHits: [Bool] = [], saved: [Int64?] = [], attempts: [String?] = []
        var rollup = CostRollup()
        for trace in traces {
            rollup.add(CostFact(trace))
            cacheWriteTokens.append(trace.usage.cacheWriteInputTokens.map(Int64.init))
            keyIDs.append(trace.keyID.map(text))
            keyNames.append(trace.keyName.map(text))
            variants.append(trace.variant.map(text))
            parents.append(trace.parentTraceID.map(text))
            cacheHits.append(trace.cacheHit)
            saved.append(trace.costSaved?.picos)
            attempts.append(TraceAttempt.storedJSON(trace.attempts).map(text))
            promptNames.append(trace.promptName.map(text))
            promptVersions.append(trace.promptVersion.map { Int32(clamping: $0) })
            guardrails.append(GuardrailResult.storedJSON(trace.guardrails).map(text))
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
        let totals = PostgresRollupColumns(rollup)
        // `unnest` in the select list (a ProjectSet node) hands each row straight to the INSERT: in FROM, a function
        // scan first copies every row into a tuplestore, which perf put at a tenth of the server's time per trace.
        // The data-modifying CTE runs to completion although nothing reads it. ON CONFLICT locks the rollup rows one
        // at a time in the order given, so concurrent writers cannot deadlock.
        return """
            WITH inserted AS (
                INSERT INTO traces (
                    id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
                    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id, tags, metadata,
                    request, response, request_truncated, response_truncated, prompt_name, prompt_version, guardrails,
                    cache_write_input_tokens, key_id, key_name, variant, parent_trace_id, cache_hit, cost_saved_picos, attempts
                )
                SELECT
                    unnest(\(ids)::text[]), unnest(\(createdAt)::int8[]), unnest(\(endpoints)::text[]),
                    unnest(\(PostgresNullableArray(providers))::text[]), unnest(\(PostgresNullableArray(models))::text[]),
                    unnest(\(PostgresNullableArray(upstreamModels))::text[]), unnest(\(streams)::bool[]),
                    unnest(\(statuses)::text[]), unnest(\(statusCodes)::int4[]),
                    unnest(\(PostgresNullableArray(errors))::text[]), unnest(\(latencies)::float8[]),
                    unnest(\(PostgresNullableArray(ttfts))::float8[]),
                    unnest(\(PostgresNullableArray(inputTokens))::int8[]), unnest(\(PostgresNullableArray(outputTokens))::int8[]),
                    unnest(\(PostgresNullableArray(cachedTokens))::int8[]), unnest(\(PostgresNullableArray(reasoningTokens))::int8[]),
                    unnest(\(PostgresNullableArray(costs))::int8[]), unnest(\(PostgresNullableArray(users))::text[]),
                    unnest(\(PostgresNullableArray(sessions))::text[]), unnest(\(tags)::text[])::text[],
                    unnest(\(PostgresNullableArray(metadata))::text[]),
                    unnest(\(PostgresNullableArray(requests))::text[]), unnest(\(PostgresNullableArray(responses))::text[]),
                    unnest(\(requestTruncated)::bool[]), unnest(\(responseTruncated)::bool[]),
                    unnest(\(PostgresNullableArray(promptNames))::text[]), unnest(\(PostgresNullableArray(promptVersions))::int4[]),
                    unnest(\(PostgresNullableArray(guardrails))::text[])::jsonb,
                    unnest(\(PostgresNullableArray(cacheWriteTokens))::int8[]),
                    unnest(\(PostgresNullableArray(keyIDs))::text[]), unnest(\(PostgresNullableArray(keyNames))::text[]),
                    unnest(\(PostgresNullableArray(variants))::text[]), unnest(\(PostgresNullableArray(parents))::text[]),
                    unnest(\(cacheHits)::bool[]), unnest(\(PostgresNullableArray(saved))::int8[]),
                    unnest(\(PostgresNullableArray(attempts))::text[])::jsonb
            )
            INSERT INTO cost_rollups AS r (
                dimension, key_is_null, key, day, shard, requests, input_tokens, output_tokens, priced_requests, cost_micros,
                cost_remainder_picos, errors, latency_zero, latency_first, latency_counts
            )
            \(rollupRows: totals, shard: shard)
            ORDER BY dimension, key_is_null, key, day
            ON CONFLICT (dimension, key_is_null, key, day, shard) DO UPDATE SET \(unescaped: PostgresTraceStore.addToRollupRow)
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
