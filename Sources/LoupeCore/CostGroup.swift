/// One group of a cost report with its full totals, latency histogram included, for reports that need
/// more than the cost report's p50 and p95.
public struct CostGroup: Sendable, Hashable {
    public var key: String?
    public var totals: CostTotals

    public init(key: String?, totals: CostTotals) {
        self.key = key
        self.totals = totals
    }
}
