import LoupeCore

/// A suite's run: every case result, a summary per prompt × model, and the overall pass rate.
public struct EvalRunResult: Sendable, Codable {
    public var suite: String
    public var description: String
    public var dataset: DatasetReference?
    /// The pass rate the suite must reach.
    public var threshold: Double
    /// Unix milliseconds.
    public var startedAt: Int64
    public var durationMs: Double
    public var cells: [EvalCellSummary]
    public var cases: [EvalCaseResult]
    public var summary: EvalSummary
    /// The tracking run that stores this result, once stored.
    public var runID: String?

    /// True when the pass rate reaches the threshold.
    public var passed: Bool { summary.passRate >= threshold }

    public init(
        suite: String, description: String, dataset: DatasetReference?, threshold: Double, startedAt: Int64, durationMs: Double,
        cells: [EvalCellSummary], cases: [EvalCaseResult], runID: String? = nil
    ) {
        self.suite = suite
        self.description = description
        self.dataset = dataset
        self.threshold = threshold
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.cells = cells
        self.cases = cases
        self.summary = EvalSummary(cases)
        self.runID = runID
    }
}

/// One prompt × model cell of a run.
public struct EvalCellSummary: Sendable, Hashable, Codable {
    public var prompt: String
    /// The registry version the prompt was pinned to; nil for inline text.
    public var promptVersion: Int?
    public var model: String
    public var summary: EvalSummary
    /// The tracking run of this cell, once stored.
    public var runID: String?

    public init(prompt: String, promptVersion: Int?, model: String, summary: EvalSummary, runID: String? = nil) {
        self.prompt = prompt
        self.promptVersion = promptVersion
        self.model = model
        self.summary = summary
        self.runID = runID
    }
}

/// Counts, rates, cost and latency over a set of case results.
public struct EvalSummary: Sendable, Hashable, Codable {
    public var cases: Int
    public var passed: Int
    public var failed: Int
    public var errors: Int
    /// Passed over all cases: an ERROR counts against the rate, so a provider outage cannot pass a suite.
    public var passRate: Double
    /// The mean case score, ERRORs included as 0.
    public var meanScore: Double
    public var costUSD: Double
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    /// The mean score of each named metric (`metric:` on assertions).
    public var namedScores: [String: Double]

    public init(_ results: [EvalCaseResult]) {
        cases = results.count
        passed = results.count { $0.status == .pass }
        failed = results.count { $0.status == .fail }
        errors = results.count { $0.status == .error }
        passRate = results.isEmpty ? 0 : Double(passed) / Double(results.count)
        meanScore = results.isEmpty ? 0 : results.map(\.score).reduce(0, +) / Double(results.count)
        costUSD = results.compactMap { $0.cached ? nil : $0.output?.costUSD }.reduce(0, +)
        let latencies = results.compactMap { $0.output?.latencyMs }.sorted()
        latencyP50Ms = Percentile.nearestRank(0.5, ofSorted: latencies)
        latencyP95Ms = Percentile.nearestRank(0.95, ofSorted: latencies)
        var sums: [String: (total: Double, count: Int)] = [:]
        for result in results {
            for check in result.checks {
                guard let metric = check.metric else { continue }
                sums[metric, default: (0, 0)].total += check.score
                sums[metric, default: (0, 0)].count += 1
            }
        }
        namedScores = sums.mapValues { $0.total / Double($0.count) }
    }
}
