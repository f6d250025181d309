import Foundation
import LoupeCore
import NIOCore
import PostgresNIO

/// Cost reports from the `cost_rollups` table, which every insert keeps current in its own transaction.
extension PostgresTraceStore {
    /// The advisory lock held while rollup rows are read and rewritten, so that instances sharing the
    /// database add to them one at a time and no count is lost.
    static let rollupLockKey: Int64 = 0x4C6F_7570_6552_6F6C  // "LoupeRol"

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
            latency BYTEA NOT NULL,                 -- LatencyHistogram.encoded
            PRIMARY KEY (dimension, key_is_null, key, day)
        )
        """,
        "CREATE INDEX cost_rollups_day ON cost_rollups (dimension, day)",
    ]

    static let costTotalsColumns = """
        requests, input_tokens, output_tokens, priced_requests, cost_micros, cost_remainder_picos, errors, latency
        """

    public func costReport(_ query: CostReportQuery) async throws -> [CostReportRow] {
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
                for try await row in try await connection.query(builder.query, logger: self.logger) {
                    let (isNull, key, day) = try row.decode((Bool, String, Int64).self)
                    rollup.merge(try Self.costTotals(from: row, startingAt: 3), into: RollupKey(dimension: dimension, day: day, key: isNull ? nil : key))
                }
            }
            for range in plan.partialRanges {
                try await self.forEachCostFact(on: connection, in: range, withTags: dimension == .tag) {
                    rollup.add($0, dimensions: [dimension])
                }
            }
            return rollup.reportRows(for: dimension)
        }
    }

    public func rebuildCostRollups() async throws {
        try await withConnection("rebuild the cost rollups") { connection in
            try await self.transaction(on: connection) { try await self.rebuildCostRollups(on: connection, days: nil) }
        }
    }

    /// Adds `rollup` to the stored rows, creating those that are missing. Call inside a transaction:
    /// the lock it takes is held until that transaction ends.
    func addToCostRollups(_ rollup: CostRollup, on connection: PostgresConnection) async throws {
        guard !rollup.groups.isEmpty else { return }
        try await execute("SELECT pg_advisory_xact_lock(\(Self.rollupLockKey))", on: connection)
        let keys = rollup.groups.keys.sorted()
        let dimensions = keys.map(\.dimension.rawValue), nulls = keys.map { $0.key == nil }
        let names = keys.map { $0.key ?? "" }, days = keys.map(\.day)
        var merged = rollup.groups
        let stored = try await connection.query("""
            SELECT r.dimension, r.key_is_null, r.key, r.day, \(unescaped: Self.costTotalsColumns)
            FROM cost_rollups r
            JOIN unnest(\(dimensions)::text[], \(nulls)::bool[], \(names)::text[], \(days)::int8[]) AS k(dimension, key_is_null, key, day)
              ON r.dimension = k.dimension AND r.key_is_null = k.key_is_null AND r.key = k.key AND r.day = k.day
            """, logger: logger)
        for try await row in stored {
            let (dimensionName, isNull, key, day) = try row.decode((String, Bool, String, Int64).self)
            guard let dimension = CostDimension(rawValue: dimensionName) else { continue }
            merged[RollupKey(dimension: dimension, day: day, key: isNull ? nil : key)]?.merge(try Self.costTotals(from: row, startingAt: 4))
        }
        let totals = keys.map { merged[$0]! }
        try await execute("""
            INSERT INTO cost_rollups (dimension, key_is_null, key, day, \(unescaped: Self.costTotalsColumns))
            SELECT * FROM unnest(
                \(dimensions)::text[], \(nulls)::bool[], \(names)::text[], \(days)::int8[],
                \(totals.map(\.requests))::int8[], \(totals.map(\.inputTokens))::int8[], \(totals.map(\.outputTokens))::int8[],
                \(totals.map(\.pricedRequests))::int8[], \(totals.map(\.costMicros))::int8[],
                \(totals.map(\.costRemainderPicos))::int8[], \(totals.map(\.errors))::int8[],
                \(totals.map { ByteBuffer(bytes: $0.latency.encoded) })::bytea[]
            )
            ON CONFLICT (dimension, key_is_null, key, day) DO UPDATE SET
                requests = EXCLUDED.requests, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,
                priced_requests = EXCLUDED.priced_requests, cost_micros = EXCLUDED.cost_micros,
                cost_remainder_picos = EXCLUDED.cost_remainder_picos, errors = EXCLUDED.errors, latency = EXCLUDED.latency
            """, on: connection)
    }

    /// Recomputes the rollups of the given days (nil: all) from the traces. Call inside a transaction.
    func rebuildCostRollups(on connection: PostgresConnection, days: ClosedRange<Int64>?) async throws {
        // Taken before the traces are read, so that no insert adds to a day while it is recounted.
        try await execute("SELECT pg_advisory_xact_lock(\(Self.rollupLockKey))", on: connection)
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
            try await addToCostRollups(rollup, on: connection)
            next = dayEnd < end ? dayEnd : nil
        }
    }

    /// Calls `body` with the facts of each trace created in `range`, oldest first.
    func forEachCostFact(
        on connection: PostgresConnection, in range: Range<Int64>, withTags: Bool, _ body: (CostFact) throws -> Void
    ) async throws {
        let rows = try await connection.query("""
            SELECT created_at, model, provider, user_id, \(unescaped: withTags ? "tags" : "'{}'::text[]"), input_tokens,
                   output_tokens, cost_picos, status, latency_ms
            FROM traces WHERE created_at >= \(range.lowerBound) AND created_at < \(range.upperBound) ORDER BY created_at
            """, logger: logger)
        for try await row in rows {
            let (createdAt, model, provider, user, tags, input, output, cost, status, latency) =
                try row.decode((Int64, String?, String?, String?, [String], Int64?, Int64?, Int64?, String, Double).self)
            try body(CostFact(
                createdAtMillis: createdAt, model: model, provider: provider, user: user, tags: tags, inputTokens: input,
                outputTokens: output, costPicos: cost, isError: status == TraceStatus.error.rawValue, latencyMs: latency
            ))
        }
    }

    static func costTotals(from row: PostgresRow, startingAt first: Int) throws -> CostTotals {
        let cells = Array(row)
        func int(_ offset: Int) throws -> Int64 { try cells[first + offset].decode(Int64.self) }
        let latency = try cells[first + 7].decode(ByteBuffer.self)
        return CostTotals(
            requests: try int(0), inputTokens: try int(1), outputTokens: try int(2), pricedRequests: try int(3),
            costMicros: try int(4), costRemainderPicos: try int(5), errors: try int(6),
            latency: try LatencyHistogram(encoded: latency.readableBytesView)
        )
    }
}
