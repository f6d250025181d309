import Foundation
import LoupeCore

/// The answer of `/api/reports/compare` and `loupe report compare`: two sides' figures side by side, what the
/// second costs more than the first, and each side's latest eval scores.
public struct ComparisonReport: Sendable, Encodable {
    public var query: ComparisonQuery
    /// The first side, then the second, named by `query.sideNames`.
    public var sides: [ComparisonSide]
    /// How many shadow calls were matched with their primary; nil for the other modes.
    public var pairs: Int?
    /// True when a side had more than `query.maxRows` calls, and only the newest were read.
    public var capped: Bool
    /// Per side, the latest eval scores of its models.
    public var evals: [[EvalScore]]

    public init(query: ComparisonQuery, sides: [ComparisonSide], pairs: Int?, capped: Bool, evals: [[EvalScore]]) {
        self.query = query
        self.sides = sides
        self.pairs = pairs
        self.capped = capped
        self.evals = evals
    }

    /// One eval cell: a model's pass rate and mean score on a suite, with one prompt, in the suite's latest run.
    public struct EvalScore: Sendable, Encodable {
        public var model: String
        public var suite: String
        public var prompt: String?
        /// The cell's tracking run.
        public var runID: String
        /// Unix milliseconds, as `/api/evals/runs` shows it.
        public var startedAt: Int64
        public var passRate: Double?
        public var meanScore: Double?

        enum CodingKeys: String, CodingKey {
            case model, suite, prompt, runID = "run_id", startedAt = "started_at", passRate = "pass_rate", meanScore = "mean_score"
        }

        init(model: String, cell: EvalRunReader.RunRow) {
            self.model = model
            suite = cell.suite
            prompt = cell.params["prompt"]
            runID = cell.runID
            startedAt = cell.startedAt
            passRate = cell.metrics["pass_rate"]
            meanScore = cell.metrics["mean_score"]
        }
    }

    /// The second side's total cost minus the first's; nil unless both have a known cost.
    public var costDeltaUSD: Decimal? {
        guard sides.count == 2, let first = sides[0].costUSD, let second = sides[1].costUSD else { return nil }
        return second - first
    }

    /// The second side's mean cost per call minus the first's; nil unless both have a known cost.
    public var meanCostDeltaUSD: Decimal? {
        guard sides.count == 2, let first = sides[0].meanCostUSD, let second = sides[1].meanCostUSD else { return nil }
        return second - first
    }

    /// The model the mode is about: the shadow model, or the model that splits; nil when comparing two models.
    public var model: String? {
        switch query.mode {
        case .shadow(let model), .split(let model, _, _): model
        case .models: nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        let names = query.sideNames
        try container.encode(query.modeName, forKey: DynamicCodingKey("mode"))
        try container.encode(model, forKey: DynamicCodingKey("model"))
        try container.encode(query.since.map(TimeExpression.iso8601), forKey: DynamicCodingKey("since"))
        try container.encode(query.until.map(TimeExpression.iso8601), forKey: DynamicCodingKey("until"))
        try container.encode(names, forKey: DynamicCodingKey("sides"))
        for (name, side) in zip(names, sides) {
            try container.encode(SideBody(side: side), forKey: DynamicCodingKey(name))
        }
        try container.encode(pairs, forKey: DynamicCodingKey("pairs"))
        try container.encode(costDeltaUSD, forKey: DynamicCodingKey("cost_delta_usd"))
        try container.encode(meanCostDeltaUSD, forKey: DynamicCodingKey("mean_cost_delta_usd"))
        try container.encode(capped, forKey: DynamicCodingKey("capped"))
        try container.encode(query.maxRows, forKey: DynamicCodingKey("max_rows"))
        var evalContainer = container.nestedContainer(keyedBy: DynamicCodingKey.self, forKey: DynamicCodingKey("eval"))
        for (name, scores) in zip(names, evals) {
            try evalContainer.encode(scores, forKey: DynamicCodingKey(name))
        }
    }

    /// One side as JSON; costs are exact decimal numbers, as in `/api/reports/cost`.
    private struct SideBody: Encodable {
        var side: ComparisonSide

        enum CodingKeys: String, CodingKey {
            case models, requests, errors, error_rate, cache_hits, priced_requests, cost_usd, mean_cost_usd
            case input_tokens, output_tokens, p50_latency_ms, p95_latency_ms, p50_ttft_ms
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(side.models, forKey: .models)
            try c.encode(side.requests, forKey: .requests)
            try c.encode(side.errors, forKey: .errors)
            try c.encode(side.errorRate, forKey: .error_rate)
            try c.encode(side.cacheHits, forKey: .cache_hits)
            try c.encode(side.pricedRequests, forKey: .priced_requests)
            try c.encode(side.costUSD, forKey: .cost_usd)
            try c.encode(side.meanCostUSD, forKey: .mean_cost_usd)
            try c.encode(side.inputTokens, forKey: .input_tokens)
            try c.encode(side.outputTokens, forKey: .output_tokens)
            try c.encode(side.p50LatencyMs, forKey: .p50_latency_ms)
            try c.encode(side.p95LatencyMs, forKey: .p95_latency_ms)
            try c.encode(side.p50TtftMs, forKey: .p50_ttft_ms)
        }
    }
}
