/// What the dashboard reports (usage series, latency percentiles) read from a store.
public protocol UsageReportStore: Sendable {
    /// The cost report's groups with their full totals: whole days from the rollups, partial days from the traces.
    func costGroups(_ query: CostReportQuery) async throws -> [CostGroup]
    /// The stored rollup rows of `dimension` for the UTC days in `days`, one per group and day.
    func dailyCostTotals(_ dimension: CostDimension, days: ClosedRange<Int64>) async throws -> [RollupKey: CostTotals]
    /// Sums per UTC hour of the traces created in `range` (Unix milliseconds), per group of `groupBy`
    /// (nil: all calls together). Latency histograms are left empty.
    func hourlyUsage(groupBy: CostDimension?, in range: Range<Int64>) async throws -> [UsageBucket]
}
