import Foundation

/// The question a usage report answers: calls, tokens and cost per time bucket, optionally per group.
public struct UsageReportQuery: Sendable, Hashable {
    /// The longest window an hourly series may span: hours are summed from the traces themselves.
    public static let maxHourlyDays: Int64 = 31

    public var granularity: UsageGranularity
    /// nil: one series of totals.
    public var groupBy: CostDimension?
    /// The window in Unix milliseconds, end excluded, already widened to whole buckets.
    public var range: Range<Int64>

    /// Widens `[since, until)` outwards to whole buckets, so that every bucket of the series is complete.
    public init(granularity: UsageGranularity, groupBy: CostDimension?, since: Date, until: Date) {
        self.granularity = granularity
        self.groupBy = groupBy
        let start = granularity.bucketStart(ofMillis: since.unixMillis)
        let end = max(start, granularity.bucketEnd(ofMillis: until.unixMillis))
        range = start..<end
    }

    /// The default window ending at `now`: 24 hours for hours, 7 days for days, 8 weeks for weeks.
    public static func defaultSince(_ granularity: UsageGranularity, until: Date) -> Date {
        switch granularity {
        case .hour: until.addingTimeInterval(-86_400)
        case .day: until.addingTimeInterval(-7 * 86_400)
        case .week: until.addingTimeInterval(-56 * 86_400)
        }
    }

    /// The whole UTC days the window covers, for series read from the daily rollups; nil when it is empty.
    public var days: ClosedRange<Int64>? {
        guard !range.isEmpty else { return nil }
        return CostRollup.day(ofMillis: range.lowerBound)...CostRollup.day(ofMillis: range.upperBound - 1)
    }
}

extension UsageReportQuery {
    /// True when an hourly series would span more than `maxHourlyDays`: too many traces to sum on request.
    public var exceedsHourlyLimit: Bool {
        granularity == .hour && range.count > Int(Self.maxHourlyDays * CostRollup.millisPerDay)
    }
}
