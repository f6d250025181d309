import Foundation
import LoupeCore
import PostgresNIO

/// Usage series and latency percentiles for the dashboard reports.
extension PostgresTraceStore: UsageReportStore {
    public func costGroups(_ query: CostReportQuery) async throws -> [CostGroup] {
        try await costRollup(query).mergedGroups(for: query.groupBy)
    }

    public func dailyCostTotals(_ dimension: CostDimension, days: ClosedRange<Int64>) async throws -> [RollupKey: CostTotals] {
        try await withConnection("read the daily cost rollups") { connection in
            var totals: [RollupKey: CostTotals] = [:]
            let rows = try await connection.query("""
                SELECT key_is_null, key, day, \(unescaped: Self.costTotalsColumns) FROM cost_rollups
                WHERE dimension = \(dimension.rawValue) AND day BETWEEN \(days.lowerBound) AND \(days.upperBound)
                """, logger: self.logger).collect()
            for row in rows {
                let (isNull, key, day) = try row.decode((Bool, String, Int64).self)
                totals[RollupKey(dimension: dimension, day: day, key: isNull ? nil : key), default: CostTotals()]
                    .merge(try Self.costTotals(from: row, startingAt: 3))
            }
            return totals
        }
    }

    public func hourlyUsage(groupBy: CostDimension?, in range: Range<Int64>) async throws -> [UsageBucket] {
        // One grouped range scan on the created_at index; a call counts once under each of its distinct tags.
        var from = "traces t"
        let key: String
        switch groupBy {
        case nil, .day: key = "NULL::text"
        case .model: key = "t.model"
        case .provider: key = "t.provider"
        case .user: key = "t.user_id"
        case .key: key = "t.key_name"
        case .prompt: key = "CASE WHEN t.prompt_version IS NULL THEN t.prompt_name ELSE t.prompt_name || '@' || t.prompt_version END"
        case .tag:
            from = "traces t LEFT JOIN LATERAL (SELECT DISTINCT tag FROM unnest(t.tags) AS tag) g ON true"
            key = "g.tag"
        }
        var builder = PostgresQueryBuilder()
        let errorStatus = builder.bind(TraceStatus.error.rawValue)
        let since = builder.bind(range.lowerBound), until = builder.bind(range.upperBound)
        builder.append("""
            SELECT floor(t.created_at::numeric / \(UsageGranularity.hour.millis))::int8, \(key), count(*)::int8,
                   coalesce(sum(t.input_tokens), 0)::int8, coalesce(sum(t.output_tokens), 0)::int8, count(t.cost_picos)::int8,
                   coalesce(sum(t.cost_picos / 1000000), 0)::int8, coalesce(sum(t.cost_picos % 1000000), 0)::int8,
                   count(*) FILTER (WHERE t.status = \(errorStatus))::int8
            FROM \(from)
            WHERE t.created_at >= \(since) AND t.created_at < \(until)
            GROUP BY 1, 2
            """)
        let query = builder.query
        return try await withConnection("read hourly usage") { connection in
            try await connection.query(query, logger: self.logger).collect().map { row in
                let (hour, key, requests, input, output, priced, micros, remainder, errors) =
                    try row.decode((Int64, String?, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
                return UsageBucket(
                    startMillis: hour * UsageGranularity.hour.millis, key: groupBy == nil ? nil : key,
                    totals: CostTotals(
                        requests: requests, inputTokens: input, outputTokens: output, pricedRequests: priced,
                        costMicros: micros, costRemainderPicos: remainder, errors: errors, latency: LatencyHistogram()
                    )
                )
            }
        }
    }
}
