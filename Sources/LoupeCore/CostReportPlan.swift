import Foundation

/// How a report window splits: whole UTC days come from the rollups, and the partial days at its
/// edges from the traces themselves.
public struct CostReportPlan: Sendable, Hashable {
    /// Whole days to read from rollups; a nil bound is open.
    public struct Days: Sendable, Hashable {
        public var first: Int64?
        public var last: Int64?

        public init(first: Int64?, last: Int64?) {
            self.first = first
            self.last = last
        }
    }

    /// The whole days in the window; nil when there are none.
    public var wholeDays: Days?
    /// Time ranges in Unix milliseconds, end excluded, to aggregate from traces.
    public var partialRanges: [Range<Int64>]

    public init(wholeDays: Days?, partialRanges: [Range<Int64>]) {
        self.wholeDays = wholeDays
        self.partialRanges = partialRanges
    }

    /// The split for `query`'s window.
    public init(_ query: CostReportQuery) {
        let since = query.since?.unixMillis
        let until = query.until?.unixMillis
        let dayMillis = CostRollup.millisPerDay
        // The first day that starts at or after `since`, and the day `until` falls in (excluded).
        let firstDay = since.map { CostRollup.day(ofMillis: $0 + dayMillis - 1) }
        let endDay = until.map { CostRollup.day(ofMillis: $0) }
        if let since, let until, let firstDay, let endDay, firstDay >= endDay {
            wholeDays = nil
            partialRanges = since < until ? [since..<until] : []
            return
        }
        wholeDays = Days(first: firstDay, last: endDay.map { $0 - 1 })
        partialRanges = []
        if let since, let firstDay, since < firstDay * dayMillis { partialRanges.append(since..<firstDay * dayMillis) }
        if let until, let endDay, endDay * dayMillis < until { partialRanges.append(endDay * dayMillis..<until) }
    }
}
