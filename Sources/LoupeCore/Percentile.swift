/// Exact percentiles of a list of values, for reports that have every value at hand (eval runs, comparisons).
public enum Percentile {
    /// The nearest-rank percentile of values sorted ascending, for `fraction` (0.5 for p50); nil when there are none.
    public static func nearestRank(_ fraction: Double, ofSorted sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
