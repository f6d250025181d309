import Foundation
import LoupeCore
import NIOCore
import PostgresNIO

/// Cost reports from the `cost_rollups` table, which each insert statement keeps current itself
/// (see `PostgresTraceInsert`).
extension PostgresTraceStore {
    static let createCostRollups = [
        """
        CREATE TABLE cost_rollups (
            dimension TEXT NOT NULL,                -- a CostDimension
            key_is_null BOOLEAN NOT NULL,           -- the group is "none" (calls without a model, user, tag…)
            key TEXT COLLATE "C" NOT NULL,          -- '' when key_is_null, and for dimension 'day'
            day BIGINT NOT NULL,                    -- days since 1970-01-01, UTC
            requests BIGINT NOT NULL,
            input_tokens BIGINT NOT NULL,
            output_tokens BIGINT NOT NULL,
            priced_requests BIGINT NOT NULL,
            cost_micros BIGINT NOT NULL,            -- whole micro-dollars, plus the remainders below
            cost_remainder_picos BIGINT NOT NULL,
            errors BIGINT NOT NULL,
            latency_buckets INT4[] NOT NULL,        -- LatencyHistogram buckets, ascending
            latency_counts INT8[] NOT NULL,         -- the count of each
            PRIMARY KEY (dimension, key_is_null, key, day)
        )
        """,
        "CREATE INDEX cost_rollups_day ON cost_rollups (dimension, day)",
        // Histogram merges for upserts; v18-rollup-shards drops them, since addToRollupRow merges in subqueries.
        """
        CREATE OR REPLACE FUNCTION loupe_merge_latency_buckets(a INT4[], b INT4[]) RETURNS INT4[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT COALESCE(array_agg(DISTINCT x ORDER BY x), '{}') FROM unnest(a || b) AS x $$
        """,
        """
        CREATE OR REPLACE FUNCTION loupe_merge_latency_counts(a_buckets INT4[], a_counts INT8[], b_buckets INT4[], b_counts INT8[]) RETURNS INT8[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT COALESCE(array_agg(n ORDER BY bucket), '{}') FROM (
               SELECT bucket, sum(n)::int8 AS n
               FROM (SELECT * FROM unnest(a_buckets, a_counts) UNION ALL SELECT * FROM unnest(b_buckets, b_counts)) AS pairs(bucket, n)
               GROUP BY bucket
           ) AS merged $$
        """,
    ]

    /// The SET list that adds a conflicting row (EXCLUDED) to the stored one (`r`).
    ///
    /// Histograms are dense (see v21-dense-latency): a first bucket and the count of every bucket from there, so
    /// two of them add element by element, zipped by one `unnest`. When the batch's range lies within the row's,
    /// which it does once a row has seen a while of traffic, only that slice is zipped and the rest copied; otherwise
    /// both are padded with zeros to start at the lower first bucket. A NULL first bucket (only zeros counted so
    /// far) pads nothing. The sparse lists this replaced were joined bucket to bucket: a sixth of the server's time.
    static let addToRollupRow = """
        requests = r.requests + EXCLUDED.requests, input_tokens = r.input_tokens + EXCLUDED.input_tokens,
        output_tokens = r.output_tokens + EXCLUDED.output_tokens, priced_requests = r.priced_requests + EXCLUDED.priced_requests,
        cost_micros = r.cost_micros + EXCLUDED.cost_micros, cost_remainder_picos = r.cost_remainder_picos + EXCLUDED.cost_remainder_picos,
        errors = r.errors + EXCLUDED.errors, latency_zero = r.latency_zero + EXCLUDED.latency_zero,
        latency_first = LEAST(r.latency_first, EXCLUDED.latency_first),
        latency_counts = CASE
            WHEN EXCLUDED.latency_first >= r.latency_first
                AND EXCLUDED.latency_first + cardinality(EXCLUDED.latency_counts) <= r.latency_first + cardinality(r.latency_counts)
            THEN r.latency_counts[:EXCLUDED.latency_first - r.latency_first]
                || ARRAY(
                    SELECT mine + theirs FROM unnest(
                        r.latency_counts[EXCLUDED.latency_first - r.latency_first + 1 :
                                         EXCLUDED.latency_first - r.latency_first + cardinality(EXCLUDED.latency_counts)],
                        EXCLUDED.latency_counts
                    ) WITH ORDINALITY AS zipped(mine, theirs, position) ORDER BY position
                )
                || r.latency_counts[EXCLUDED.latency_first - r.latency_first + cardinality(EXCLUDED.latency_counts) + 1:]
            ELSE ARRAY(
                SELECT COALESCE(mine, 0) + COALESCE(theirs, 0) FROM unnest(
                    array_fill(0::int8, ARRAY[COALESCE(r.latency_first - LEAST(r.latency_first, EXCLUDED.latency_first), 0)])
                        || r.latency_counts,
                    array_fill(0::int8, ARRAY[COALESCE(EXCLUDED.latency_first - LEAST(r.latency_first, EXCLUDED.latency_first), 0)])
                        || EXCLUDED.latency_counts
                ) WITH ORDINALITY AS zipped(mine, theirs, position) ORDER BY position
            )
        END
        """

    static let costTotalsColumns = """
        requests, input_tokens, output_tokens, priced_requests, cost_micros, cost_remainder_picos, errors,
        latency_zero, latency_first, latency_counts
        """

    public func costReport(_ query: CostReportQuery) async throws -> [CostReportRow] {
        try await costRollup(query).reportRows(for: query.groupBy)
    }

    /// The query's groups per day: whole days from the rollups, the partial days at its edges from the traces.
    func costRollup(_ query: CostReportQuery) async throws -> CostRollup {
        let plan = CostReportPlan(query)
        let dimension = query.groupBy
        return try await withConnection("build a cost report") { connection in
            var rollup = CostRollup()
            if let days = plan.wholeDays {
                var builder = PostgresQueryBuilder()
                var sql = "SELECT key_is_null, key, day, \(Self.costTotalsColumns) FROM cost_rollups WHERE dimension = \(builder.bind(dimension.rawValue))"
                if let first = days.first { sql += " AND day >= \(builder.bind(first))" }
                if let last = days.last { sql += " AND day <= \(builder.bind(last))" }
                builder.append(sql)
                for row in try await connection.query(builder.query, logger: self.logger).collect() {
                    let (isNull, key, day) = try row.decode((Bool, String, Int64).self)
                    rollup.merge(try Self.costTotals(from: row, startingAt: 3), into: RollupKey(dimension: dimension, day: day, key: isNull ? nil : key))
                }
            }
            for range in plan.partialRanges {
                try await self.forEachCostFact(on: connection, in: range, withTags: dimension == .tag) {
                    rollup.add($0, dimensions: [dimension])
                }
            }
            return rollup
        }
    }

    public func rebuildCostRollups() async throws {
        try await withConnection("rebuild the cost rollups") { connection in
            try await self.transaction(on: connection) { try await self.rebuildCostRollups(on: connection, days: nil) }
        }
    }

    /// Stores `rollup`, counted in Swift, as new rows of shard 0: the rebuild deletes the days first and writes each
    /// day once, so nothing conflicts.
    func insertCostRollups(_ rollup: CostRollup, on connection: PostgresConnection) async throws {
        guard !rollup.groups.isEmpty else { return }
        try await execute("""
            INSERT INTO cost_rollups (dimension, key_is_null, key, day, shard, \(unescaped: Self.costTotalsColumns))
            \(rollupRows: PostgresRollupColumns(rollup), shard: 0)
            """, on: connection)
    }

    /// Recomputes the rollups of the given days (nil: all) from the traces. Call inside a transaction.
    func rebuildCostRollups(on connection: PostgresConnection, days: ClosedRange<Int64>?) async throws {
        // Taken before the traces are read, and held to the end of the transaction: inserts wait to
        // add to the rollups, so none adds to a day while it is recounted, and none is counted twice.
        try await execute("LOCK TABLE cost_rollups IN SHARE ROW EXCLUSIVE MODE", on: connection)
        var next: Int64?
        var end = Int64.max
        if let days {
            try await execute("DELETE FROM cost_rollups WHERE day BETWEEN \(days.lowerBound) AND \(days.upperBound)", on: connection)
            next = days.lowerBound * CostRollup.millisPerDay
            end = (days.upperBound + 1) * CostRollup.millisPerDay
        } else {
            try await execute("DELETE FROM cost_rollups", on: connection)
            next = Int64.min
        }
        // A day at a time, skipping days without traces: memory stays bounded however big the store is,
        // and a connection cannot write while it streams a result.
        while let from = next {
            let first = try await connection.query(
                "SELECT min(created_at) FROM traces WHERE created_at >= \(from) AND created_at < \(end)", logger: logger
            ).collect().first?.decode(Int64?.self)
            guard let first else { break }
            let day = CostRollup.day(ofMillis: first)
            let dayEnd = min((day + 1) * CostRollup.millisPerDay, end)
            var rollup = CostRollup()
            try await forEachCostFact(on: connection, in: first..<dayEnd, withTags: true) { rollup.add($0) }
            try await insertCostRollups(rollup, on: connection)
            next = dayEnd < end ? dayEnd : nil
        }
    }

    /// Calls `body` with the facts of each trace created in `range`, oldest first.
    func forEachCostFact(
        on connection: PostgresConnection, in range: Range<Int64>, withTags: Bool, _ body: (CostFact) throws -> Void
    ) async throws {
        // Read in collected pages, not as one streamed result: iterating PostgresNIO's row stream hung
        // for good when the server went away mid-result, where collect() fails at once.
        var after: (createdAt: Int64, id: String)?
        // Migration v5 rebuilds the rollups before v13 adds the key columns.
        let hasKeys = try await !connection.query(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'traces' AND column_name = 'key_name' AND table_schema = current_schema()",
            logger: logger
        ).collect().isEmpty
        let keyName = hasKeys ? "key_name" : "NULL::text AS key_name"
        while true {
            var builder = PostgresQueryBuilder()
            var sql = """
                SELECT created_at, id, model, provider, user_id, \(withTags ? "tags" : "'{}'::text[]"), input_tokens,
                       output_tokens, cost_picos, status, latency_ms, prompt_name, prompt_version, \(keyName)
                FROM traces WHERE created_at >= \(builder.bind(range.lowerBound)) AND created_at < \(builder.bind(range.upperBound))
                """
            if let after { sql += " AND (created_at, id) > (\(builder.bind(after.createdAt)), \(builder.bind(after.id)))" }
            sql += " ORDER BY created_at, id LIMIT \(Self.factPageSize)"
            builder.append(sql)
            let rows = try await connection.query(builder.query, logger: logger).collect()
            for row in rows {
                let (createdAt, id, model, provider, user, tags, input, output, cost, status, latency, promptName, promptVersion, keyName) =
                    try row.decode((Int64, String, String?, String?, String?, [String], Int64?, Int64?, Int64?, String, Double, String?, Int?, String?).self)
                try body(CostFact(
                    createdAtMillis: createdAt, model: model, provider: provider, user: user, tags: tags, inputTokens: input,
                    outputTokens: output, costPicos: cost, isError: status == TraceStatus.error.rawValue, latencyMs: latency,
                    prompt: CostFact.promptKey(name: promptName, version: promptVersion), key: keyName
                ))
                after = (createdAt, id)
            }
            if rows.count < Self.factPageSize { return }
        }
    }

    /// Traces read per query when counting from traces: bounded memory, few round trips.
    static let factPageSize = 20_000

    static func costTotals(from row: PostgresRow, startingAt first: Int) throws -> CostTotals {
        let cells = Array(row)
        func int(_ offset: Int) throws -> Int64 { try cells[first + offset].decode(Int64.self) }
        return CostTotals(
            requests: try int(0), inputTokens: try int(1), outputTokens: try int(2), pricedRequests: try int(3),
            costMicros: try int(4), costRemainderPicos: try int(5), errors: try int(6),
            latency: try LatencyHistogram(
                zeroCount: try int(7), firstBucket: try cells[first + 8].decode(Int32?.self), counts: try cells[first + 9].decode([Int64].self)
            )
        )
    }
}
