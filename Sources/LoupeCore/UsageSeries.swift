import Foundation

/// Folds stored sums (hours, or the daily rollups) into a usage series of the asked granularity.
public struct UsageSeries: Sendable {
    public let query: UsageReportQuery
    private var buckets: [BucketKey: CostTotals] = [:]

    private struct BucketKey: Hashable {
        var start: Int64
        var key: String?
    }

    public init(_ query: UsageReportQuery) {
        self.query = query
    }

    /// Adds sums that start at `startMillis` (an hour or a day) to the bucket that holds them.
    public mutating func add(_ bucket: UsageBucket) {
        guard query.range.contains(bucket.startMillis) else { return }
        let start = query.granularity.bucketStart(ofMillis: bucket.startMillis)
        buckets[BucketKey(start: start, key: query.groupBy == nil ? nil : bucket.key), default: CostTotals()].merge(bucket.totals)
    }

    /// Adds daily rollup rows (`RollupKey.day`) to their buckets.
    public mutating func add(rollups: [RollupKey: CostTotals]) {
        for (key, totals) in rollups {
            add(UsageBucket(startMillis: key.day * CostRollup.millisPerDay, key: key.key, totals: totals))
        }
    }

    /// The series oldest first, groups in key order (nil first) within a bucket. A series of totals has every
    /// bucket of the window, zeros included, so a chart needs no gap filling; a grouped one only non-empty buckets.
    public var rows: [UsageReportRow] {
        var all = buckets
        if query.groupBy == nil {
            var start = query.range.lowerBound
            while start < query.range.upperBound {
                all[BucketKey(start: start, key: nil), default: CostTotals()].merge(CostTotals())
                start += query.granularity.millis
            }
        }
        return all.sorted { lhs, rhs in
            if lhs.key.start != rhs.key.start { return lhs.key.start < rhs.key.start }
            switch (lhs.key.key, rhs.key.key) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (left?, right?): return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
            }
        }.map { bucket in
            let totals = bucket.value
            return UsageReportRow(
                start: Date(timeIntervalSince1970: Double(bucket.key.start) / 1000), key: bucket.key.key, requests: Int(totals.requests), errors: Int(totals.errors),
                inputTokens: Int(totals.inputTokens), outputTokens: Int(totals.outputTokens), costUSD: totals.costUSD
            )
        }
    }
}
