import Foundation

/// The figures of one side of a comparison, from its calls: counts, exact cost, tokens and exact latency percentiles.
public struct ComparisonSide: Sendable, Hashable {
    /// The models that answered, each once, sorted.
    public var models: [String]
    public var requests: Int
    /// Calls whose status is `error`, as the cost report counts them.
    public var errors: Int
    /// Calls answered from the response cache.
    public var cacheHits: Int
    /// Calls with a known price: the mean cost is over these.
    public var pricedRequests: Int
    /// The exact sum of the known costs; nil when no call had a known price.
    public var costUSD: Decimal?
    public var inputTokens: Int
    public var outputTokens: Int
    public var p50LatencyMs: Double?
    public var p95LatencyMs: Double?
    /// Over the streamed calls only; nil when none was streamed.
    public var p50TtftMs: Double?

    /// Sums the facts, and sorts their latencies for nearest-rank percentiles.
    public init(_ facts: some Sequence<ComparisonFact>) {
        // CostTotals keeps the exact cost sum and the error count just as the cost report does.
        var totals = CostTotals()
        var models = Set<String>()
        var cacheHits = 0
        var latencies: [Double] = []
        var ttfts: [Double] = []
        for fact in facts {
            totals.add(CostFact(
                createdAtMillis: fact.createdAtMillis, model: nil, provider: nil, user: nil, tags: [], inputTokens: fact.inputTokens,
                outputTokens: fact.outputTokens, costPicos: fact.costPicos, isError: fact.status == .error, latencyMs: fact.latencyMs
            ))
            if let model = fact.model { models.insert(model) }
            if fact.cacheHit { cacheHits += 1 }
            latencies.append(fact.latencyMs)
            if let ttft = fact.ttftMs { ttfts.append(ttft) }
        }
        latencies.sort()
        ttfts.sort()
        self.models = models.sorted()
        self.requests = Int(totals.requests)
        self.errors = Int(totals.errors)
        self.cacheHits = cacheHits
        self.pricedRequests = Int(totals.pricedRequests)
        self.costUSD = totals.costUSD
        self.inputTokens = Int(totals.inputTokens)
        self.outputTokens = Int(totals.outputTokens)
        self.p50LatencyMs = Percentile.nearestRank(0.5, ofSorted: latencies)
        self.p95LatencyMs = Percentile.nearestRank(0.95, ofSorted: latencies)
        self.p50TtftMs = Percentile.nearestRank(0.5, ofSorted: ttfts)
    }

    /// Errors over requests; nil when there were no requests.
    public var errorRate: Double? {
        requests == 0 ? nil : Double(errors) / Double(requests)
    }

    /// The cost per priced call, rounded half-up to the pico-dollar; nil when no call had a known price.
    public var meanCostUSD: Decimal? {
        guard let costUSD, pricedRequests > 0 else { return nil }
        return USD(rounding: costUSD / Decimal(pricedRequests)).decimal
    }
}
