import Foundation
import LoupeCore

/// The Overview's numbers over time: one bucket per 5 minutes, hour or day of the range, and the range's totals.
struct OverviewSeries: Sendable {
    /// One bucket of the series.
    struct Bucket: Sendable, Hashable {
        var start: Date
        var requests = 0
        var inputTokens = 0
        var outputTokens = 0
        var cost = Decimal(0)
        var errors = 0
        var p50LatencyMs: Double?
        var p95LatencyMs: Double?

        var errorRate: Double { requests == 0 ? 0 : Double(errors) / Double(requests) }

        /// A bucket holding a report row's figures.
        init(start: Date, row: CostReportRow? = nil) {
            self.start = start
            guard let row else { return }
            requests = row.requests
            inputTokens = row.inputTokens
            outputTokens = row.outputTokens
            cost = row.costUSD ?? 0
            errors = row.errors
            p50LatencyMs = row.p50LatencyMs
            p95LatencyMs = row.p95LatencyMs
        }
    }

    /// The most traces a short range reads to draw its series; beyond this the series is marked capped.
    static let traceCap = 20_000

    var range: DashboardRange
    var buckets: [Bucket]
    var totals: Bucket
    /// True when a short range had more traces than `traceCap`: the series covers only the newest of them.
    var capped = false

    /// Builds the series for `range` ending at `now`: daily rollups (the cost report by day) for 7 d and 30 d,
    /// newest-first trace pages (time index) for 1 h and 24 h, bounded by `traceCap`.
    static func load(range: DashboardRange, now: Date, store: any LoupeStore) async throws -> OverviewSeries {
        range.usesDailyRollups ? try await fromRollups(range: range, now: now, store: store) : try await fromTraces(range: range, now: now, store: store)
    }

    static func fromRollups(range: DashboardRange, now: Date, store: any LoupeStore) async throws -> OverviewSeries {
        let since = now.addingTimeInterval(-range.seconds)
        // One read serves both the days and the whole range: each day's full totals (whole days from the rollups,
        // partial days summed from the traces by the store), whose histograms merge into the range's percentiles.
        let groups = try await store.costGroups(CostReportQuery(groupBy: .day, since: since, until: now))
        let byDay = Dictionary(groups.compactMap { group in group.key.map { ($0, group.totals) } }, uniquingKeysWith: { first, _ in first })
        var whole = CostTotals()
        var buckets: [Bucket] = []
        for day in CostRollup.day(ofMillis: since.unixMillis)...CostRollup.day(ofMillis: now.unixMillis) {
            let totals = byDay[CostRollup.dayString(day)]
            if let totals { whole.merge(totals) }
            buckets.append(Bucket(start: Date(timeIntervalSince1970: Double(day) * 86_400), row: totals?.reportRow(key: nil)))
        }
        return OverviewSeries(range: range, buckets: buckets, totals: Bucket(start: since, row: whole.reportRow(key: nil)))
    }

    /// The range's totals and percentiles, exact however many calls it holds: every day's full totals (whole days
    /// from the rollups, partial days summed from the traces by the store), histograms merged, so the percentiles
    /// are those of every call.
    static func rangeTotals(since: Date, until: Date, store: any LoupeStore) async throws -> Bucket {
        var whole = CostTotals()
        for group in try await store.costGroups(CostReportQuery(groupBy: .day, since: since, until: until)) { whole.merge(group.totals) }
        return Bucket(start: since, row: whole.reportRow(key: nil))
    }

    static func fromTraces(range: DashboardRange, now: Date, store: any LoupeStore) async throws -> OverviewSeries {
        let since = now.addingTimeInterval(-range.seconds)
        let width = range.bucketSeconds
        let firstStart = (since.timeIntervalSince1970 / width).rounded(.down) * width
        let count = Int(((now.timeIntervalSince1970 - firstStart) / width).rounded(.down)) + 1
        var buckets = (0..<count).map { Bucket(start: Date(timeIntervalSince1970: firstStart + Double($0) * width)) }
        var latencies = Array(repeating: [Double](), count: count)
        var query = TraceQuery(since: since, until: now, limit: TraceQuery.maxLimit)
        var read = 0
        var capped = false
        pages: while true {
            let page = try await store.traces(matching: query)
            for trace in page.traces {
                if read == traceCap {
                    capped = true
                    break pages
                }
                read += 1
                let index = min(max(Int((trace.createdAt.timeIntervalSince1970 - firstStart) / width), 0), count - 1)
                buckets[index].requests += 1
                buckets[index].inputTokens += trace.usage.inputTokens ?? 0
                buckets[index].outputTokens += trace.usage.outputTokens ?? 0
                buckets[index].cost += trace.cost?.decimal ?? 0
                if trace.status != .ok { buckets[index].errors += 1 }
                latencies[index].append(trace.latencyMs)
            }
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        for index in buckets.indices {
            let sorted = latencies[index].sorted()
            buckets[index].p50LatencyMs = Percentile.nearestRank(0.5, ofSorted: sorted)
            buckets[index].p95LatencyMs = Percentile.nearestRank(0.95, ofSorted: sorted)
        }
        // The headline figures come from the store's sums, so they stay exact when the series is capped.
        let totals = try await rangeTotals(since: since, until: now, store: store)
        return OverviewSeries(range: range, buckets: buckets, totals: totals, capped: capped)
    }
}
