import Foundation

/// Running totals of one cost-report group: exact sums, and a latency histogram for percentiles.
public struct CostTotals: Sendable, Hashable {
    public var requests: Int64 = 0
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    /// How many requests had a known price; the cost is unknown (nil) when none had.
    public var pricedRequests: Int64 = 0
    /// The cost as whole micro-dollars plus the pico-dollar remainders, summed apart so that even very
    /// large totals stay exact in 64-bit columns.
    public var costMicros: Int64 = 0
    public var costRemainderPicos: Int64 = 0
    public var errors: Int64 = 0
    public var latency = LatencyHistogram()

    public init() {}

    public init(
        requests: Int64, inputTokens: Int64, outputTokens: Int64, pricedRequests: Int64,
        costMicros: Int64, costRemainderPicos: Int64, errors: Int64, latency: LatencyHistogram
    ) {
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.pricedRequests = pricedRequests
        self.costMicros = costMicros
        self.costRemainderPicos = costRemainderPicos
        self.errors = errors
        self.latency = latency
    }

    /// Counts one call.
    public mutating func add(_ fact: CostFact) {
        add(fact, latencyBucket: LatencyHistogram.bucket(of: fact.latencyMs))
    }

    /// Counts one call whose latency bucket the caller already knows.
    mutating func add(_ fact: CostFact, latencyBucket: Int32) {
        requests += 1
        inputTokens += fact.inputTokens ?? 0
        outputTokens += fact.outputTokens ?? 0
        if let picos = fact.costPicos {
            pricedRequests += 1
            costMicros += picos / 1_000_000
            costRemainderPicos += picos % 1_000_000
        }
        if fact.isError { errors += 1 }
        latency.record(bucket: latencyBucket)
    }

    /// Adds another group's totals.
    public mutating func merge(_ other: CostTotals) {
        requests += other.requests
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        pricedRequests += other.pricedRequests
        costMicros += other.costMicros
        costRemainderPicos += other.costRemainderPicos
        errors += other.errors
        latency.merge(other.latency)
    }

    /// The exact cost in dollars; nil when no call had a known price.
    public var costUSD: Decimal? {
        guard pricedRequests > 0 else { return nil }
        return Decimal(costMicros) / Decimal(1_000_000) + Decimal(costRemainderPicos) / Decimal(USD.picosPerDollar)
    }

    /// The report row for these totals under `key`.
    public func reportRow(key: String?) -> CostReportRow {
        CostReportRow(
            key: key, requests: Int(requests), inputTokens: Int(inputTokens), outputTokens: Int(outputTokens),
            costUSD: costUSD, errors: Int(errors),
            p50LatencyMs: latency.percentile(0.5), p95LatencyMs: latency.percentile(0.95)
        )
    }
}
