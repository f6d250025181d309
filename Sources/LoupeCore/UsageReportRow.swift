import Foundation

/// One point of a usage series: one bucket of one group.
public struct UsageReportRow: Sendable, Hashable {
    public var start: Date
    /// The group's value; nil for calls without one, and for a series of totals.
    public var key: String?
    public var requests: Int
    public var errors: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// Exact sum of the known costs; nil when no call in the bucket had a known price.
    public var costUSD: Decimal?

    public init(start: Date, key: String?, requests: Int, errors: Int, inputTokens: Int, outputTokens: Int, costUSD: Decimal?) {
        self.start = start
        self.key = key
        self.requests = requests
        self.errors = errors
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
    }
}
