import Foundation
import LoupeCore
import Testing

/// The `UsageReportStore` contract on every backend: hourly sums from the traces and daily rollup rows, each
/// checked against sums worked out from the traces themselves.
@Suite struct UsageReportStoreTests {
    static let traces = CostRollupStoreTests.traces
    static let midnight = CostRollupStoreTests.midnight

    /// Expected sums per (bucket start, group key), counted the way the cost rollups count a call.
    static func expected(_ traces: [Trace], bucket: (Int64) -> Int64, dimension: CostDimension?, in range: Range<Int64>) -> [String: CostTotals] {
        var sums: [String: CostTotals] = [:]
        for trace in traces where range.contains(trace.createdAt.unixMillis) {
            let fact = CostFact(trace)
            for key in dimension.map({ fact.keys(for: $0) }) ?? [nil] {
                var totals = CostTotals()
                totals.add(fact)
                totals.latency = LatencyHistogram()
                sums["\(bucket(fact.createdAtMillis))|\(key ?? "<nil>")", default: CostTotals()].merge(totals)
            }
        }
        return sums
    }

    @Test(arguments: StoreBackend.tested)
    func hourlySumsMatchTheTracesForEveryGrouping(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let reports = try #require(store as? any UsageReportStore)
            try await store.insert(Self.traces)
            // From 05:30 on the first day to 07:00 two days later: the edges cut hours, which must not be widened here.
            let range = Self.midnight.addingTimeInterval(5.5 * 3_600).unixMillis..<Self.midnight.addingTimeInterval(2 * 86_400 + 7 * 3_600).unixMillis
            for dimension in [nil] + CostDimension.allCases.filter({ $0 != .day }) as [CostDimension?] {
                let buckets = try await reports.hourlyUsage(groupBy: dimension, in: range)
                var got: [String: CostTotals] = [:]
                for bucket in buckets {
                    #expect(bucket.startMillis % 3_600_000 == 0)
                    got["\(bucket.startMillis)|\(bucket.key ?? "<nil>")", default: CostTotals()].merge(bucket.totals)
                }
                let want = Self.expected(Self.traces, bucket: { $0 / 3_600_000 * 3_600_000 }, dimension: dimension, in: range)
                #expect(buckets.count == want.count, "\(String(describing: dimension)): one bucket per hour and group")
                #expect(got == want, "\(String(describing: dimension))")
            }
            // A sanity anchor in plain numbers: 47.5 hours of calls every 800 s, about 213 of the 540.
            let all = try await reports.hourlyUsage(groupBy: nil, in: range)
            let requests = all.reduce(0) { $0 + $1.totals.requests }
            #expect(requests == Int64(Self.traces.filter { range.contains($0.createdAt.unixMillis) }.count))
            #expect((200...230).contains(requests))
        }
    }

    @Test(arguments: StoreBackend.tested)
    func dailyRollupRowsMatchTheTracesOfEachDay(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let reports = try #require(store as? any UsageReportStore)
            try await store.insert(Self.traces)
            let firstDay = CostRollup.day(ofMillis: Self.midnight.unixMillis)
            let days = firstDay...(firstDay + 2)
            let range = days.lowerBound * CostRollup.millisPerDay..<(days.upperBound + 1) * CostRollup.millisPerDay
            for dimension in [CostDimension.day, .model, .tag] {
                let rows = try await reports.dailyCostTotals(dimension, days: days)
                var got: [String: CostTotals] = [:]
                for (key, totals) in rows {
                    var sums = totals
                    sums.latency = LatencyHistogram()
                    got["\(key.day * CostRollup.millisPerDay)|\(key.key ?? "<nil>")"] = sums
                }
                let want = Self.expected(
                    Self.traces, bucket: { CostRollup.day(ofMillis: $0) * CostRollup.millisPerDay }, dimension: dimension == .day ? nil : dimension, in: range
                )
                #expect(got == want, "\(dimension)")
            }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func costGroupsCarryTheWholeHistogram(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let reports = try #require(store as? any UsageReportStore)
            try await store.insert(Self.traces)
            let groups = try await reports.costGroups(CostReportQuery(groupBy: .model, since: Self.midnight.addingTimeInterval(3_600)))
            let rows = try await store.costReport(CostReportQuery(groupBy: .model, since: Self.midnight.addingTimeInterval(3_600)))
            #expect(groups.map(\.key) == rows.map(\.key))
            for (group, row) in zip(groups, rows) {
                #expect(group.totals.reportRow(key: group.key) == row)
                #expect(group.totals.latency.total == Int64(row.requests))
            }
        }
    }
}
