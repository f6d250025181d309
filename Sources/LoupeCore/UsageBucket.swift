/// Sums of one group's calls in one time bucket, as a store reads them.
public struct UsageBucket: Sendable, Hashable {
    /// The bucket's start in Unix milliseconds.
    public var startMillis: Int64
    /// The group's value; nil for calls without one, and for a series of totals.
    public var key: String?
    /// Exact sums; the latency histogram is left empty, a usage series has no percentiles.
    public var totals: CostTotals

    public init(startMillis: Int64, key: String?, totals: CostTotals) {
        self.startMillis = startMillis
        self.key = key
        self.totals = totals
    }
}
