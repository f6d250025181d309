import Foundation
import GRDB
import LoupeCore

/// Cost reports from the `cost_rollups` table, which every insert keeps current in its own transaction.
extension SQLiteTraceStore {
    static let createCostRollups = """
        CREATE TABLE cost_rollups (
            dimension TEXT NOT NULL,              -- a CostDimension
            key_is_null INTEGER NOT NULL,         -- the group is "none" (calls without a model, user, tag…)
            key TEXT NOT NULL,                    -- '' when key_is_null, and for dimension 'day'
            day INTEGER NOT NULL,                 -- days since 1970-01-01, UTC
            requests INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            priced_requests INTEGER NOT NULL,
            cost_micros INTEGER NOT NULL,         -- whole micro-dollars, plus the remainders below
            cost_remainder_picos INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            latency BLOB NOT NULL,                -- LatencyHistogram.encoded
            PRIMARY KEY (dimension, key_is_null, key, day)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX cost_rollups_day ON cost_rollups(dimension, day);
        """

    public func costReport(_ query: CostReportQuery) async throws -> [CostReportRow] {
        try await costRollup(query).reportRows(for: query.groupBy)
    }

    /// The query's groups per day: whole days from the rollups, the partial days at its edges from the traces.
    func costRollup(_ query: CostReportQuery) async throws -> CostRollup {
        let plan = CostReportPlan(query)
        let dimension = query.groupBy
        return try await writer.read { db in
            var rollup = CostRollup()
            if let days = plan.wholeDays {
                var sql = "SELECT * FROM cost_rollups WHERE dimension = ?"
                var arguments: StatementArguments = [dimension.rawValue]
                if let first = days.first {
                    sql += " AND day >= ?"
                    arguments += [first]
                }
                if let last = days.last {
                    sql += " AND day <= ?"
                    arguments += [last]
                }
                let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try rows.next() {
                    let key = RollupKey(dimension: dimension, day: row["day"], key: row["key_is_null"] ? nil : row["key"])
                    rollup.merge(try Self.costTotals(from: row), into: key)
                }
            }
            for range in plan.partialRanges {
                try Self.forEachCostFact(db, in: range, withTags: dimension == .tag) { rollup.add($0, dimensions: [dimension]) }
            }
            return rollup
        }
    }

    public func rebuildCostRollups() async throws {
        try await longWrite { db in try Self.rebuildCostRollups(db, days: nil) }
    }

    /// Adds `rollup` to the stored rows, creating those that are missing.
    static func addToCostRollups(_ rollup: CostRollup, _ db: Database) throws {
        let select = try db.cachedStatement(sql: """
            SELECT requests, input_tokens, output_tokens, priced_requests, cost_micros, cost_remainder_picos, errors, latency
            FROM cost_rollups WHERE dimension = ? AND key_is_null = ? AND key = ? AND day = ?
            """)
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO cost_rollups (
                dimension, key_is_null, key, day, requests, input_tokens, output_tokens, priced_requests,
                cost_micros, cost_remainder_picos, errors, latency
            ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (dimension, key_is_null, key, day) DO UPDATE SET
                requests = excluded.requests, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                priced_requests = excluded.priced_requests, cost_micros = excluded.cost_micros,
                cost_remainder_picos = excluded.cost_remainder_picos, errors = excluded.errors, latency = excluded.latency
            """)
        // Bound and read through SQLite's C API: GRDB's rows look their columns up by name, and a batch touches
        // about 70 rollup rows.
        for (key, totals) in rollup.groups {
            var merged = totals
            var lookup = try SQLiteRowBinder(select, in: db)
            try bindRollupKey(key, to: &lookup)
            if try lookup.step() {
                let stored = CostTotals(
                    requests: lookup.int64(at: 0), inputTokens: lookup.int64(at: 1), outputTokens: lookup.int64(at: 2),
                    pricedRequests: lookup.int64(at: 3), costMicros: lookup.int64(at: 4),
                    costRemainderPicos: lookup.int64(at: 5), errors: lookup.int64(at: 6),
                    latency: try LatencyHistogram(encoded: lookup.bytes(at: 7))
                )
                merged.merge(stored)
            }
            lookup.reset()
            var row = try SQLiteRowBinder(upsert, in: db)
            try bindRollupKey(key, to: &row)
            try row.bind(merged.requests)
            try row.bind(merged.inputTokens)
            try row.bind(merged.outputTokens)
            try row.bind(merged.pricedRequests)
            try row.bind(merged.costMicros)
            try row.bind(merged.costRemainderPicos)
            try row.bind(merged.errors)
            try row.bind(merged.latency.encoded)
            try row.execute()
        }
    }

    private static func bindRollupKey(_ key: RollupKey, to row: inout SQLiteRowBinder) throws {
        try row.bind(key.dimension.rawValue)
        try row.bind(key.key == nil)
        try row.bind(key.key ?? "")
        try row.bind(key.day)
    }

    /// Recomputes the rollups of the given days (nil: all) from the traces, one day at a time so that
    /// memory stays bounded however big the store is.
    static func rebuildCostRollups(_ db: Database, days: ClosedRange<Int64>?) throws {
        var range = Int64.min..<Int64.max
        if let days {
            try db.execute(sql: "DELETE FROM cost_rollups WHERE day BETWEEN ? AND ?", arguments: [days.lowerBound, days.upperBound])
            range = days.lowerBound * CostRollup.millisPerDay..<(days.upperBound + 1) * CostRollup.millisPerDay
        } else {
            try db.execute(sql: "DELETE FROM cost_rollups")
        }
        var rollup = CostRollup()
        var currentDay: Int64?
        try forEachCostFact(db, in: range, withTags: true) { fact in
            if fact.day != currentDay {
                try addToCostRollups(rollup, db)
                rollup = CostRollup()
                currentDay = fact.day
            }
            rollup.add(fact)
        }
        try addToCostRollups(rollup, db)
    }

    /// Calls `body` with the facts of each trace created in `range`, oldest first.
    static func forEachCostFact(
        _ db: Database, in range: Range<Int64>, withTags: Bool, _ body: (CostFact) throws -> Void
    ) throws {
        // Migration v5 rebuilds the rollups before v13 adds the key columns.
        let keyName = try db.columns(in: "traces").contains { $0.name == "key_name" } ? "key_name" : "NULL AS key_name"
        let rows = try Row.fetchCursor(db, sql: """
            SELECT created_at, model, provider, user, \(withTags ? "tags" : "'[]'") AS tags, input_tokens, output_tokens,
                   cost_picos, status, latency_ms, prompt_name, prompt_version, \(keyName)
            FROM traces WHERE created_at >= ? AND created_at < ? ORDER BY created_at
            """, arguments: [range.lowerBound, range.upperBound])
        while let row = try rows.next() {
            try body(CostFact(
                createdAtMillis: row["created_at"], model: row["model"], provider: row["provider"], user: row["user"],
                tags: withTags ? strings(fromJSON: row["tags"]) : [], inputTokens: row["input_tokens"],
                outputTokens: row["output_tokens"], costPicos: row["cost_picos"],
                isError: row["status"] == TraceStatus.error.rawValue, latencyMs: row["latency_ms"],
                prompt: CostFact.promptKey(name: row["prompt_name"], version: row["prompt_version"]), key: row["key_name"]
            ))
        }
    }

    static func costTotals(from row: Row) throws -> CostTotals {
        let latency: Data = row["latency"]
        return CostTotals(
            requests: row["requests"], inputTokens: row["input_tokens"], outputTokens: row["output_tokens"],
            pricedRequests: row["priced_requests"], costMicros: row["cost_micros"],
            costRemainderPicos: row["cost_remainder_picos"], errors: row["errors"],
            latency: try LatencyHistogram(encoded: latency)
        )
    }
}
