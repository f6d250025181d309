import Foundation
import LoupeCore
import Testing

@Suite struct UsageSeriesTests {
    static let monday = Date(timeIntervalSince1970: 1_789_948_800)  // 2026-09-21 00:00 UTC, a Monday

    static func totals(requests: Int64, picos: Int64?) -> CostTotals {
        var totals = CostTotals()
        for _ in 0..<requests {
            totals.add(CostFact(
                createdAtMillis: 0, model: nil, provider: nil, user: nil, tags: [], inputTokens: 3, outputTokens: 2, costPicos: picos,
                isError: false, latencyMs: 1
            ))
        }
        return totals
    }

    @Test func weeksStartOnMondayUTCAndWindowsWidenToWholeBuckets() {
        let mondayMillis = Self.monday.unixMillis
        // Thursday 1970-01-01 is in the week that started on Monday 1969-12-29.
        #expect(UsageGranularity.week.bucketStart(ofMillis: 0) == -3 * 86_400_000)
        #expect(UsageGranularity.week.bucketStart(ofMillis: mondayMillis + 6 * 86_400_000 + 1) == mondayMillis)
        #expect(UsageGranularity.week.bucketStart(ofMillis: mondayMillis - 1) == mondayMillis - 7 * 86_400_000)
        let query = UsageReportQuery(
            granularity: .hour, groupBy: nil, since: Self.monday.addingTimeInterval(90 * 60), until: Self.monday.addingTimeInterval(3 * 3_600)
        )
        #expect(query.range == mondayMillis + 3_600_000..<mondayMillis + 3 * 3_600_000)
        #expect(!query.exceedsHourlyLimit)
        let long = UsageReportQuery(granularity: .hour, groupBy: nil, since: Self.monday, until: Self.monday.addingTimeInterval(31 * 86_400 + 1))
        #expect(long.exceedsHourlyLimit)
    }

    @Test func daysFoldIntoWeeksAndATotalsSeriesHasEveryBucket() {
        let mondayMillis = Self.monday.unixMillis
        let day = CostRollup.day(ofMillis: mondayMillis)
        let query = UsageReportQuery(granularity: .week, groupBy: nil, since: Self.monday, until: Self.monday.addingTimeInterval(21 * 86_400))
        var series = UsageSeries(query)
        series.add(rollups: [
            RollupKey(dimension: .day, day: day, key: nil): Self.totals(requests: 2, picos: 1_500_000),
            RollupKey(dimension: .day, day: day + 6, key: nil): Self.totals(requests: 3, picos: nil),
            RollupKey(dimension: .day, day: day + 14, key: nil): Self.totals(requests: 1, picos: 7),
            // Outside the window: ignored.
            RollupKey(dimension: .day, day: day + 21, key: nil): Self.totals(requests: 9, picos: 7),
        ])
        let rows = series.rows
        #expect(rows.map(\.start) == [0, 7, 14].map { Self.monday.addingTimeInterval(Double($0) * 86_400) })
        #expect(rows.map(\.requests) == [5, 0, 1])
        #expect(rows.map(\.inputTokens) == [15, 0, 3])
        #expect(rows.map(\.costUSD) == [Decimal(string: "0.000003"), nil, Decimal(string: "0.000000000007")])
    }

    @Test func aGroupedSeriesIsOrderedByTimeThenKeyWithNilFirst() {
        let query = UsageReportQuery(granularity: .day, groupBy: .model, since: Self.monday, until: Self.monday.addingTimeInterval(2 * 86_400))
        var series = UsageSeries(query)
        let start = Self.monday.unixMillis
        series.add(UsageBucket(startMillis: start + 86_400_000 + 3_600_000, key: "b", totals: Self.totals(requests: 1, picos: 1)))
        series.add(UsageBucket(startMillis: start + 86_400_000, key: "b", totals: Self.totals(requests: 2, picos: 1)))
        series.add(UsageBucket(startMillis: start, key: "a", totals: Self.totals(requests: 4, picos: 1)))
        series.add(UsageBucket(startMillis: start + 86_400_000, key: nil, totals: Self.totals(requests: 1, picos: 1)))
        let rows = series.rows
        #expect(rows.map(\.key) == ["a", nil, "b"])
        #expect(rows.map(\.requests) == [4, 1, 3])
    }
}
