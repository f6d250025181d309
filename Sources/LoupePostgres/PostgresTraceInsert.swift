import Foundation
import LoupeCore
import PostgresNIO

/// Many traces in one statement: each column travels as one array parameter and `unnest` turns the arrays
/// back into rows. The same statement adds the traces it really inserted to `cost_rollups`, so each
/// statement is atomic on its own: no transaction is held open across round trips, and no lock either.
///
/// The rollup totals travel precomputed (counted in Swift, as the SQLite store counts them) and apply when
/// every trace of the statement was new, which is the usual case; when some were already stored (a batch
/// replayed after an outage), the statement counts the ones it did insert in SQL instead.
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
        // A repeated id would count twice in the rollups: the statement joins its input to what it inserted.
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

    /// One statement inserting `traces` (ids already stored are skipped) and adding those it inserted to the rollups.
    static func query(_ traces: ArraySlice<Trace>, shard: Int16) -> PostgresQuery {
        var ids: [String] = [], createdAt: [Int64] = [], endpoints: [String] = []
        var providers: [String?] = [], models: [String?] = [], upstreamModels: [String?] = []
        var streams: [Bool] = [], statuses: [String] = [], statusCodes: [Int32] = [], errors: [String?] = []
        var latencies: [Double] = [], ttfts: [Double?] = []
        var inputTokens: [Int64?] = [], outputTokens: [Int64?] = [], cachedTokens: [Int64?] = [], reasoningTokens: [Int64?] = []
        var costs: [Int64?] = [], users: [String?] = [], sessions: [String?] = [], tags: [String] = [], metadata: [String?] = []
        var requests: [String?] = [], responses: [String?] = [], requestTruncated: [Bool] = [], responseTruncated: [Bool] = []
        var days: [Int64] = [], buckets: [Int32] = [], promptNames: [String?] = [], promptVersions: [Int32?] = []
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
            days.append(CostRollup.day(ofMillis: trace.createdAt.unixMillis))
            buckets.append(LatencyHistogram.bucket(of: trace.latencyMs))
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
        let precomputed = PostgresRollupColumns(rollup)
        let zero = String(LatencyHistogram.zeroBucket)
        // Precomputed totals, or (when some traces were already stored) the inserted ones summed per group and
        // latency bucket first, then per group, then with each group's buckets laid out densely; ON CONFLICT adds them to
        // the stored rows, which it locks one at a time in the order given, so concurrent writers cannot deadlock.
        // `unnest` in the select list (a ProjectSet node) hands each row straight to the INSERT: in FROM, a function
        // scan first copies every row into a tuplestore, and a CTE that is read twice copies them again, which perf
        // put at a fifth of the server's time per trace. NOT MATERIALIZED, because its second reader (`facts`)
        // runs only for a replayed batch.
        return """
            WITH input AS NOT MATERIALIZED (
                SELECT
                    unnest(\(ids)::text[]) AS id, unnest(\(createdAt)::int8[]) AS created_at, unnest(\(endpoints)::text[]) AS endpoint,
                    unnest(\(PostgresNullableArray(providers))::text[]) AS provider,
                    unnest(\(PostgresNullableArray(models))::text[]) AS model,
                    unnest(\(PostgresNullableArray(upstreamModels))::text[]) AS upstream_model, unnest(\(streams)::bool[]) AS stream,
                    unnest(\(statuses)::text[]) AS status, unnest(\(statusCodes)::int4[]) AS status_code,
                    unnest(\(PostgresNullableArray(errors))::text[]) AS error, unnest(\(latencies)::float8[]) AS latency_ms,
                    unnest(\(PostgresNullableArray(ttfts))::float8[]) AS ttft_ms,
                    unnest(\(PostgresNullableArray(inputTokens))::int8[]) AS input_tokens,
                    unnest(\(PostgresNullableArray(outputTokens))::int8[]) AS output_tokens,
                    unnest(\(PostgresNullableArray(cachedTokens))::int8[]) AS cached_input_tokens,
                    unnest(\(PostgresNullableArray(reasoningTokens))::int8[]) AS reasoning_tokens,
                    unnest(\(PostgresNullableArray(costs))::int8[]) AS cost_picos,
                    unnest(\(PostgresNullableArray(users))::text[]) AS user_id,
                    unnest(\(PostgresNullableArray(sessions))::text[]) AS session_id, unnest(\(tags)::text[]) AS tags_literal,
                    unnest(\(PostgresNullableArray(metadata))::text[]) AS metadata,
                    unnest(\(PostgresNullableArray(requests))::text[]) AS request,
                    unnest(\(PostgresNullableArray(responses))::text[]) AS response,
                    unnest(\(requestTruncated)::bool[]) AS request_truncated, unnest(\(responseTruncated)::bool[]) AS response_truncated,
                    unnest(\(days)::int8[]) AS day, unnest(\(buckets)::int4[]) AS bucket,
                    unnest(\(PostgresNullableArray(promptNames))::text[]) AS prompt_name,
                    unnest(\(PostgresNullableArray(promptVersions))::int4[]) AS prompt_version,
                    unnest(\(PostgresNullableArray(guardrails))::text[]) AS guardrails,
                    unnest(\(PostgresNullableArray(cacheWriteTokens))::int8[]) AS cache_write_input_tokens,
                    unnest(\(PostgresNullableArray(keyIDs))::text[]) AS key_id,
                    unnest(\(PostgresNullableArray(keyNames))::text[]) AS key_name,
                    unnest(\(PostgresNullableArray(variants))::text[]) AS variant,
                    unnest(\(PostgresNullableArray(parents))::text[]) AS parent_trace_id, unnest(\(cacheHits)::bool[]) AS cache_hit,
                    unnest(\(PostgresNullableArray(saved))::int8[]) AS cost_saved_picos,
                    unnest(\(PostgresNullableArray(attempts))::text[]) AS attempts
            ),
            inserted AS (
                INSERT INTO traces (
                    id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
                    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id, tags, metadata,
                    request, response, request_truncated, response_truncated, prompt_name, prompt_version, guardrails,
                    cache_write_input_tokens, key_id, key_name, variant, parent_trace_id, cache_hit, cost_saved_picos, attempts
                )
                SELECT id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error, latency_ms, ttft_ms,
                    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos, user_id, session_id,
                    tags_literal::text[], metadata, request, response, request_truncated, response_truncated, prompt_name, prompt_version,
                    guardrails::jsonb, cache_write_input_tokens, key_id, key_name, variant, parent_trace_id, cache_hit, cost_saved_picos,
                    attempts::jsonb
                FROM input
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            ),
            all_new AS (
                SELECT count(*) = \(traces.count) AS yes FROM inserted
            ),
            precomputed AS (
                SELECT dimension, key_is_null, key, day, \(shard)::int2 AS shard, requests, input_tokens, output_tokens, priced_requests,
                       cost_micros, cost_remainder_picos, errors, latency_zero, latency_first, latency_counts::int8[]
                FROM unnest(
                    \(precomputed.dimensions)::text[], \(precomputed.keyIsNull)::bool[], \(precomputed.keys)::text[],
                    \(precomputed.days)::int8[], \(precomputed.requests)::int8[], \(precomputed.inputTokens)::int8[],
                    \(precomputed.outputTokens)::int8[], \(precomputed.pricedRequests)::int8[], \(precomputed.costMicros)::int8[],
                    \(precomputed.costRemainderPicos)::int8[], \(precomputed.errors)::int8[], \(precomputed.latencyZero)::int8[],
                    \(PostgresNullableArray(precomputed.latencyFirst))::int4[], \(precomputed.latencyCounts)::text[]
                ) AS u(dimension, key_is_null, key, day, requests, input_tokens, output_tokens, priced_requests, cost_micros,
                       cost_remainder_picos, errors, latency_zero, latency_first, latency_counts)
                WHERE (SELECT yes FROM all_new)
            ),
            facts AS (
                SELECT i.* FROM input i JOIN inserted ON inserted.id = i.id COLLATE "C" WHERE NOT (SELECT yes FROM all_new)
            ),
            keyed AS (
                SELECT 'model' AS dimension, model AS key, day, bucket, input_tokens, output_tokens, cost_picos, status FROM facts
                UNION ALL SELECT 'provider', provider, day, bucket, input_tokens, output_tokens, cost_picos, status FROM facts
                UNION ALL SELECT 'user', user_id, day, bucket, input_tokens, output_tokens, cost_picos, status FROM facts
                UNION ALL SELECT 'day', NULL, day, bucket, input_tokens, output_tokens, cost_picos, status FROM facts
                UNION ALL SELECT 'key', key_name, day, bucket, input_tokens, output_tokens, cost_picos, status FROM facts
                UNION ALL SELECT 'prompt', prompt_name || COALESCE('@' || prompt_version, ''), day, bucket, input_tokens, output_tokens,
                    cost_picos, status FROM facts
                UNION ALL SELECT 'tag', g.tag, day, bucket, input_tokens, output_tokens, cost_picos, status
                    FROM facts LEFT JOIN LATERAL (SELECT DISTINCT t.tag FROM unnest(facts.tags_literal::text[]) AS t(tag)) g ON true
            ),
            bucketed AS (
                SELECT dimension, key, day, bucket, count(*) AS n,
                       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, count(cost_picos) AS priced,
                       sum(cost_picos / 1000000) AS cost_micros, sum(cost_picos % 1000000) AS cost_remainder,
                       count(*) FILTER (WHERE status = 'error') AS errors
                FROM keyed GROUP BY dimension, key, day, bucket
            ),
            grouped AS (
                SELECT dimension, key IS NULL AS key_is_null, COALESCE(key, '') AS key, day, \(shard)::int2 AS shard,
                       sum(n)::int8 AS requests, COALESCE(sum(input_tokens), 0)::int8 AS input_tokens,
                       COALESCE(sum(output_tokens), 0)::int8 AS output_tokens, sum(priced)::int8 AS priced_requests,
                       COALESCE(sum(cost_micros), 0)::int8 AS cost_micros, COALESCE(sum(cost_remainder), 0)::int8 AS cost_remainder_picos,
                       sum(errors)::int8 AS errors,
                       COALESCE(sum(n) FILTER (WHERE bucket = \(unescaped: zero)), 0)::int8 AS latency_zero,
                       min(bucket) FILTER (WHERE bucket <> \(unescaped: zero)) AS latency_first,
                       max(bucket) FILTER (WHERE bucket <> \(unescaped: zero)) AS latency_last,
                       array_agg(bucket) AS buckets, array_agg(n) AS counts
                FROM bucketed GROUP BY dimension, key, day
            ),
            dense AS (
                SELECT dimension, key_is_null, key, day, shard, requests, input_tokens, output_tokens, priced_requests, cost_micros,
                       cost_remainder_picos, errors, latency_zero, latency_first,
                       ARRAY(
                           SELECT COALESCE(pairs.n, 0)::int8 FROM generate_series(latency_first, latency_last) AS b(bucket)
                           LEFT JOIN unnest(buckets, counts) AS pairs(bucket, n) ON pairs.bucket = b.bucket ORDER BY b.bucket
                       ) AS latency_counts
                FROM grouped
            )
            INSERT INTO cost_rollups AS r (
                dimension, key_is_null, key, day, shard, requests, input_tokens, output_tokens, priced_requests, cost_micros,
                cost_remainder_picos, errors, latency_zero, latency_first, latency_counts
            )
            SELECT * FROM (SELECT * FROM precomputed UNION ALL SELECT * FROM dense) AS totals
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
