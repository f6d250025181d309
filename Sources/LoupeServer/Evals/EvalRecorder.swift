import Foundation
import LoupeCore
import LoupeEvals

/// Keeps eval runs in the tracking module, where MLflow's client and UI see them among the other runs: an
/// experiment per suite (`evals/<suite>`), a run per `loupe eval run` with a child run per prompt × model,
/// params and metrics on each, and every case result beside the parent run.
public struct EvalRecorder: Sendable {
    let store: any TrackingStore & EvalCaseStore

    public init(store: any TrackingStore & EvalCaseStore) {
        self.store = store
    }

    /// Tags that mark what Loupe wrote.
    static let kindTag = "loupe.kind"
    static let roleTag = "loupe.eval.role"
    static let suiteTag = "loupe.eval.suite"

    /// Stores `result`; returns it with the run ids filled in.
    public func record(_ result: EvalRunResult, suite: EvalSuite, sourceFile: String) async throws -> EvalRunResult {
        var result = result
        let experiment = try await experiment(named: suite.experiment)
        let user = ProcessInfo.processInfo.environment["USER"] ?? ""
        let started = result.startedAt
        let ended = started + Int64(result.durationMs)
        let parentName = "\(suite.name)-\(Self.stamp(started))"
        let parentID = try await createRun(
            experiment: experiment.id, name: parentName, user: user, start: started, end: ended,
            tags: [Self.roleTag: "suite", Self.suiteTag: suite.name, "mlflow.source.name": sourceFile, "mlflow.source.type": "LOCAL", "mlflow.user": user],
            params: [
                ("suite", suite.name), ("dataset", suite.dataset?.path ?? "inline tests"), ("dataset_hash", suite.dataset?.contentHash ?? ""),
                ("prompts", result.cells.map(\.prompt).uniqued().joined(separator: ", ")), ("models", suite.models.joined(separator: ", ")),
                ("threshold", String(suite.threshold)), ("repeat", String(suite.repeatCount)),
            ],
            summary: result.summary, at: ended
        )
        result.runID = parentID
        for index in result.cells.indices {
            let cell = result.cells[index]
            result.cells[index].runID = try await createRun(
                experiment: experiment.id, name: "\(cell.prompt) × \(cell.model)", user: user, start: started, end: ended,
                tags: [Self.roleTag: "cell", Self.suiteTag: suite.name, "mlflow.parentRunId": parentID, "mlflow.user": user],
                params: [
                    ("suite", suite.name), ("prompt", cell.prompt), ("prompt_version", cell.promptVersion.map(String.init) ?? "inline"),
                    ("model", cell.model), ("dataset_hash", suite.dataset?.contentHash ?? ""),
                ],
                summary: cell.summary, at: ended
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let cases = try result.cases.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try await store.saveEvalCases(runID: parentID, cases: cases)
        return result
    }

    /// The suite's experiment, made (and marked as Loupe's evals) on first use.
    func experiment(named name: String) async throws -> Experiment {
        if let existing = try await store.experiment(name: name) {
            if existing.tags[Self.kindTag] != "evals" { try await store.setExperimentTag(id: existing.id, key: Self.kindTag, value: "evals") }
            return existing
        }
        do {
            return try await store.createExperiment(name: name, artifactLocation: nil, tags: [Self.kindTag: "evals"])
        } catch TrackingError.alreadyExists {
            // Another run made it first.
            return try await store.experiment(name: name)!
        }
    }

    private func createRun(
        experiment: String, name: String, user: String, start: Int64, end: Int64, tags: [String: String], params: [(String, String)],
        summary: EvalSummary, at timestamp: Int64
    ) async throws -> String {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var tags = tags
        tags["mlflow.runName"] = name
        _ = try await store.createRun(RunInfo(id: id, experimentID: experiment, name: name, userID: user, status: .running, startTime: start, artifactURI: ""), tags: tags)
        try await store.logBatch(
            runID: id, metrics: Self.metrics(summary).map { MetricPoint(key: $0.0, value: $0.1, timestamp: timestamp, step: 0) },
            params: params.map { (key: $0.0, value: $0.1) }, tags: []
        )
        _ = try await store.updateRun(id: id, status: .finished, endTime: end, name: nil)
        return id
    }

    /// The metrics a run gets: pass rate, mean score, cost, latency percentiles and counts, and each named score.
    static func metrics(_ summary: EvalSummary) -> [(String, Double)] {
        var metrics: [(String, Double)] = [
            ("pass_rate", summary.passRate), ("mean_score", summary.meanScore), ("cost_usd", summary.costUSD),
            ("cases", Double(summary.cases)), ("passed", Double(summary.passed)), ("failed", Double(summary.failed)), ("errors", Double(summary.errors)),
        ]
        if let p50 = summary.latencyP50Ms { metrics.append(("latency_p50_ms", p50)) }
        if let p95 = summary.latencyP95Ms { metrics.append(("latency_p95_ms", p95)) }
        for (name, score) in summary.namedScores.sorted(by: { $0.key < $1.key }) { metrics.append(("score.\(name)", score)) }
        return metrics
    }

    static func stamp(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
