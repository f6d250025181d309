/// How wide each bucket of a usage series is. Buckets are UTC; weeks start on Monday.
public enum UsageGranularity: String, Sendable, CaseIterable {
    case hour, day, week

    static let millisPerHour: Int64 = 3_600_000

    /// The bucket's width in Unix milliseconds.
    public var millis: Int64 {
        switch self {
        case .hour: Self.millisPerHour
        case .day: CostRollup.millisPerDay
        case .week: 7 * CostRollup.millisPerDay
        }
    }

    /// The start of the bucket that holds `millis`.
    public func bucketStart(ofMillis millis: Int64) -> Int64 {
        switch self {
        case .hour, .day:
            return floorDivide(millis, self.millis) * self.millis
        case .week:
            // Day 0 (1970-01-01) was a Thursday, so day + 3 counts from a Monday.
            let day = CostRollup.day(ofMillis: millis)
            let monday = day - (((day + 3) % 7) + 7) % 7
            return monday * CostRollup.millisPerDay
        }
    }

    /// The end of the bucket that holds `millis - 1`: `millis` rounded up to a bucket boundary.
    public func bucketEnd(ofMillis millis: Int64) -> Int64 {
        let start = bucketStart(ofMillis: millis)
        return start == millis ? millis : start + self.millis
    }

    private func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }
}
