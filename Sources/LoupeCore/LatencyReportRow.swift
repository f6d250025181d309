/// One group of the latency report: its calls and latency percentiles, read from the rollups' histograms
/// (each within 1% of the exact nearest-rank value).
public struct LatencyReportRow: Sendable, Hashable {
    public var key: String?
    public var requests: Int
    public var p50LatencyMs: Double?
    public var p90LatencyMs: Double?
    public var p95LatencyMs: Double?
    public var p99LatencyMs: Double?

    /// The row for one group's totals.
    public init(_ group: CostGroup) {
        key = group.key
        requests = Int(group.totals.requests)
        p50LatencyMs = group.totals.latency.percentile(0.5)
        p90LatencyMs = group.totals.latency.percentile(0.9)
        p95LatencyMs = group.totals.latency.percentile(0.95)
        p99LatencyMs = group.totals.latency.percentile(0.99)
    }
}
