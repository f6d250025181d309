import LoupeCore

/// Builds usage series: days and weeks from the daily rollups, hours from the traces.
public struct UsageReporter: Sendable {
    let store: any UsageReportStore

    /// A reporter reading `store`.
    public init(store: any UsageReportStore) {
        self.store = store
    }

    /// The series `query` asks for; the caller checks `exceedsHourlyLimit` first.
    public func report(_ query: UsageReportQuery) async throws -> [UsageReportRow] {
        var series = UsageSeries(query)
        switch query.granularity {
        case .hour:
            for bucket in try await store.hourlyUsage(groupBy: query.groupBy, in: query.range) { series.add(bucket) }
        case .day, .week:
            // The window is whole days, so the rollups hold all of it; totals are the `day` dimension's rows.
            if let days = query.days { series.add(rollups: try await store.dailyCostTotals(query.groupBy ?? .day, days: days)) }
        }
        return series.rows
    }
}
