import Foundation
import GRDB
import LoupeCore

/// Usage series and latency percentiles for the dashboard reports.
extension SQLiteTraceStore: UsageReportStore {
    public func costGroups(_ query: CostReportQuery) async throws -> [CostGroup] {
        try await costRollup(query).mergedGroups(for: query.groupBy)
    }

    public func dailyCostTotals(_ dimension: CostDimension, days: ClosedRange<Int64>) async throws -> [RollupKey: CostTotals] {
        try await writer.read { db in
            var totals: [RollupKey: CostTotals] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM cost_rollups WHERE dimension = ? AND day BETWEEN ? AND ?",
                arguments: [dimension.rawValue, days.lowerBound, days.upperBound]
            )
            while let row = try rows.next() {
                let key = RollupKey(dimension: dimension, day: row["day"], key: row["key_is_null"] ? nil : row["key"])
                totals[key, default: CostTotals()].merge(try Self.costTotals(from: row))
            }
            return totals
        }
    }

    public func hourlyUsage(groupBy: CostDimension?, in range: Range<Int64>) async throws -> [UsageBucket] {
        // One grouped range scan on the created_at index; a tag's calls come through trace_tags (one row per tag and call).
        var from = "traces"
        let key: String
        switch groupBy {
        case nil, .day: key = "NULL"
        case .model: key = "traces.model"
        case .provider: key = "traces.provider"
        case .user: key = "traces.user"
        case .key: key = "traces.key_name"
        case .prompt:
            key = "CASE WHEN traces.prompt_version IS NULL THEN traces.prompt_name ELSE traces.prompt_name || '@' || traces.prompt_version END"
        case .tag:
            from = "traces LEFT JOIN trace_tags ON trace_tags.trace_id = traces.id"
            key = "trace_tags.tag"
        }
        let sql = """
            SELECT traces.created_at / \(UsageGranularity.hour.millis) AS hour, \(key) AS group_key, count(*) AS requests,
                   coalesce(sum(traces.input_tokens), 0) AS input_tokens, coalesce(sum(traces.output_tokens), 0) AS output_tokens,
                   count(traces.cost_picos) AS priced_requests, coalesce(sum(traces.cost_picos / 1000000), 0) AS cost_micros,
                   coalesce(sum(traces.cost_picos % 1000000), 0) AS cost_remainder_picos,
                   coalesce(sum(traces.status = ?), 0) AS errors
            FROM \(from)
            WHERE traces.created_at >= ? AND traces.created_at < ?
            GROUP BY hour, group_key
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [TraceStatus.error.rawValue, max(0, range.lowerBound), range.upperBound]).map { row in
                let hour: Int64 = row["hour"]
                return UsageBucket(
                    startMillis: hour * UsageGranularity.hour.millis, key: groupBy == nil ? nil : row["group_key"],
                    totals: CostTotals(
                        requests: row["requests"], inputTokens: row["input_tokens"], outputTokens: row["output_tokens"],
                        pricedRequests: row["priced_requests"], costMicros: row["cost_micros"],
                        costRemainderPicos: row["cost_remainder_picos"], errors: row["errors"], latency: LatencyHistogram()
                    )
                )
            }
        }
    }
}
