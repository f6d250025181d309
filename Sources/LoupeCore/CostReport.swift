import Foundation

/// What a cost report groups by.
public enum CostDimension: String, Sendable, CaseIterable, Codable {
    case model, provider, user, day, tag, prompt, key
}

/// The question a cost report answers: spend grouped by one dimension over a time window.
public struct CostReportQuery: Sendable, Hashable {
    public var groupBy: CostDimension
    public var since: Date?
    public var until: Date?

    public init(groupBy: CostDimension, since: Date? = nil, until: Date? = nil) {
        self.groupBy = groupBy
        self.since = since
        self.until = until
    }
}

/// One group of a cost report.
public struct CostReportRow: Sendable, Hashable {
    /// The group's value: a model name, a day `2026-11-26`, or nil for calls without one.
    public var key: String?
    public var requests: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// Exact sum of the known costs; nil when no call in the group had a known price.
    public var costUSD: Decimal?
    public var errors: Int
    public var p50LatencyMs: Double?
    public var p95LatencyMs: Double?

    public init(
        key: String?, requests: Int, inputTokens: Int, outputTokens: Int, costUSD: Decimal?,
        errors: Int, p50LatencyMs: Double?, p95LatencyMs: Double?
    ) {
        self.key = key
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.errors = errors
        self.p50LatencyMs = p50LatencyMs
        self.p95LatencyMs = p95LatencyMs
    }
}
