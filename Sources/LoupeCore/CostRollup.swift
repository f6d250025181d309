import Foundation

/// Which group of which UTC day a row of rollup totals belongs to.
public struct RollupKey: Sendable, Hashable, Comparable {
    public var dimension: CostDimension
    /// Days since 1970-01-01, UTC.
    public var day: Int64
    /// The group's value; nil for calls without one. Always nil for `.day`, whose group is the day.
    public var key: String?

    public init(dimension: CostDimension, day: Int64, key: String?) {
        self.dimension = dimension
        self.day = day
        self.key = key
    }

    // By hand: the defaults for a String-backed enum go through its raw value, a String made and hashed for every
    // group of every trace that a rollup counts.
    public static func == (lhs: RollupKey, rhs: RollupKey) -> Bool {
        lhs.day == rhs.day && lhs.dimension.ordinal == rhs.dimension.ordinal && lhs.key == rhs.key
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dimension.ordinal)
        hasher.combine(day)
        hasher.combine(key)
    }

    /// A fixed order, so that concurrent writers touch rollup rows in the same order and cannot deadlock.
    public static func < (lhs: RollupKey, rhs: RollupKey) -> Bool {
        (lhs.dimension.rawValue, lhs.key == nil ? 0 : 1, lhs.key ?? "", lhs.day)
            < (rhs.dimension.rawValue, rhs.key == nil ? 0 : 1, rhs.key ?? "", rhs.day)
    }
}

/// Cost-report totals per dimension, group and UTC day. Stores keep these up to date as traces
/// arrive, so that a report reads a few rows per group and day instead of scanning every trace.
public struct CostRollup: Sendable {
    public static let millisPerDay: Int64 = 86_400_000

    public private(set) var groups: [RollupKey: CostTotals] = [:]

    public init() {}

    /// Counts one call in every group it belongs to, under each of `dimensions`.
    public mutating func add(_ fact: CostFact, dimensions: [CostDimension] = CostDimension.allCases) {
        let day = fact.day
        // Once per call rather than once per group: the logarithm is most of recording a latency.
        let bucket = LatencyHistogram.bucket(of: fact.latencyMs)
        for dimension in dimensions {
            // Each case names its one key directly, so no array is built per group (this runs for every trace).
            switch dimension {
            case .day: add(fact, bucket, to: RollupKey(dimension: .day, day: day, key: nil))  // told apart by their day
            case .model: add(fact, bucket, to: RollupKey(dimension: .model, day: day, key: fact.model))
            case .provider: add(fact, bucket, to: RollupKey(dimension: .provider, day: day, key: fact.provider))
            case .user: add(fact, bucket, to: RollupKey(dimension: .user, day: day, key: fact.user))
            case .prompt: add(fact, bucket, to: RollupKey(dimension: .prompt, day: day, key: fact.prompt))
            case .key: add(fact, bucket, to: RollupKey(dimension: .key, day: day, key: fact.key))
            case .tag:
                if fact.tags.isEmpty { add(fact, bucket, to: RollupKey(dimension: .tag, day: day, key: nil)) }
                for tag in fact.tags { add(fact, bucket, to: RollupKey(dimension: .tag, day: day, key: tag)) }
            }
        }
    }

    private mutating func add(_ fact: CostFact, _ latencyBucket: Int32, to key: RollupKey) {
        groups[key, default: CostTotals()].add(fact, latencyBucket: latencyBucket)
    }

    /// Adds stored totals for one group and day.
    public mutating func merge(_ totals: CostTotals, into key: RollupKey) {
        groups[key, default: CostTotals()].merge(totals)
    }

    /// The report for `dimension`: its groups merged across days (each day its own group for `.day`),
    /// the busiest first, then by key with nil first.
    public func reportRows(for dimension: CostDimension) -> [CostReportRow] {
        mergedGroups(for: dimension).map { $0.totals.reportRow(key: $0.key) }
    }

    /// The groups of `dimension` merged across days (each day its own group for `.day`), in report order.
    public func mergedGroups(for dimension: CostDimension) -> [CostGroup] {
        var merged: [String?: CostTotals] = [:]
        for (rollupKey, totals) in groups where rollupKey.dimension == dimension {
            let key = dimension == .day ? Self.dayString(rollupKey.day) : rollupKey.key
            merged[key, default: CostTotals()].merge(totals)
        }
        return merged.map { CostGroup(key: $0.key, totals: $0.value) }.sorted { lhs, rhs in
            if lhs.totals.requests != rhs.totals.requests { return lhs.totals.requests > rhs.totals.requests }
            switch (lhs.key, rhs.key) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (left?, right?): return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
            }
        }
    }

    /// The UTC day of a Unix time in milliseconds.
    public static func day(ofMillis millis: Int64) -> Int64 {
        millis >= 0 ? millis / millisPerDay : (millis - millisPerDay + 1) / millisPerDay
    }

    /// `2026-11-26` for a day number.
    public static func dayString(_ day: Int64) -> String {
        // Civil date from a day count (the proleptic Gregorian algorithm of H. Hinnant's date library).
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(format: "%04lld-%02lld-%02lld", year, month, dayOfMonth)
    }
}

extension CostDimension {
    /// A small number per case, cheaper to hash and compare than the raw value.
    fileprivate var ordinal: Int {
        switch self {
        case .model: 0
        case .provider: 1
        case .user: 2
        case .day: 3
        case .tag: 4
        case .prompt: 5
        case .key: 6
        }
    }
}
