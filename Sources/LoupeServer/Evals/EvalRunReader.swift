import Foundation
import LoupeCore
import LoupeEvals

/// Reads stored eval runs back from the tracking module: for `/api/evals/runs` and `loupe eval compare`.
public struct EvalRunReader: Sendable {
    let store: any TrackingStore & EvalCaseStore

    public init(store: any TrackingStore & EvalCaseStore) {
        self.store = store
    }

    /// A run or cell as the API shows it: the tracking run's ids, params and latest metrics.
    public struct RunRow: Sendable, Encodable {
        public var runID: String
        public var experimentID: String
        public var name: String
        public var suite: String
        public var startedAt: Int64
        public var endedAt: Int64?
        public var params: [String: String]
        public var metrics: [String: Double]
        /// The pass rate reached the threshold; nil for a cell, which has no threshold of its own.
        public var passed: Bool?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", experimentID = "experiment_id", name, suite, startedAt = "started_at", endedAt = "ended_at", params, metrics, passed
        }

        init(_ run: TrackedRun) {
            runID = run.info.id
            experimentID = run.info.experimentID
            name = run.info.name
            suite = run.tags[EvalRecorder.suiteTag] ?? ""
            startedAt = run.info.startTime
            endedAt = run.info.endTime
            params = run.params
            metrics = run.metrics.mapValues(\.value)
            if run.tags[EvalRecorder.roleTag] == "suite", let rate = metrics["pass_rate"], let threshold = params["threshold"].flatMap(Double.init) {
                passed = rate >= threshold
            }
        }
    }

    /// One stored run: its summary, a row per prompt × model, and every case.
    public struct StoredRun: Sendable, Encodable {
        public var run: RunRow
        public var cells: [RunRow]
        public var cases: [EvalCaseResult]
    }

    /// Eval runs newest first, of one suite or all.
    public func list(suite: String?, limit: Int) async throws -> [RunRow] {
        try await page(suite: suite, limit: limit, pageToken: nil).items
    }

    /// One page of eval runs, newest first, and the token of the next page (nil on the last).
    public func page(suite: String?, limit: Int, pageToken: String?) async throws -> TrackingPage<RunRow> {
        let experiments = try await evalExperiments()
        guard !experiments.isEmpty else { return TrackingPage(items: [], nextPageToken: nil) }
        var filter = try SearchFilter.parse("tags.`\(EvalRecorder.roleTag)` = 'suite'", for: .runs)
        if let suite {
            // The suite name is a value, bound as a parameter like any other.
            filter.clauses.append(SearchFilter.Clause(kind: .tag, key: EvalRecorder.suiteTag, comparison: .equal, value: .string(suite)))
        }
        let page = try await store.searchRuns(experimentIDs: experiments, filter: filter, order: [], view: .activeOnly, maxResults: limit, pageToken: pageToken)
        return TrackingPage(items: page.items.map(RunRow.init), nextPageToken: page.nextPageToken)
    }

    /// The run with `id`, its cells and cases; nil when no eval run has that id.
    public func run(id: String) async throws -> StoredRun? {
        guard let run = try await store.run(id: id), run.tags[EvalRecorder.roleTag] == "suite" else { return nil }
        var filter = try SearchFilter.parse("tags.`\(EvalRecorder.roleTag)` = 'cell'", for: .runs)
        filter.clauses.append(SearchFilter.Clause(kind: .tag, key: "mlflow.parentRunId", comparison: .equal, value: .string(id)))
        let cells = try await store.searchRuns(experimentIDs: [run.info.experimentID], filter: filter, order: [], view: .all, maxResults: 1000, pageToken: nil)
        let decoder = JSONDecoder()
        let cases = try await store.evalCases(runID: id).map { try decoder.decode(EvalCaseResult.self, from: Data($0.utf8)) }
        return StoredRun(run: RunRow(run), cells: cells.items.map(RunRow.init).sorted { $0.name < $1.name }, cases: cases)
    }

    /// The newest scores of `model` in each suite: the cells (one per prompt) of the latest eval run that tried it.
    public func latestCells(model: String) async throws -> [RunRow] {
        let experiments = try await evalExperiments()
        guard !experiments.isEmpty else { return [] }
        var filter = try SearchFilter.parse("tags.`\(EvalRecorder.roleTag)` = 'cell'", for: .runs)
        // The model name is a value, bound as a parameter like any other.
        filter.clauses.append(SearchFilter.Clause(kind: .param, key: "model", comparison: .equal, value: .string(model)))
        // Newest first (the store's default order), so the first run of a suite is its latest.
        let page = try await store.searchRuns(experimentIDs: experiments, filter: filter, order: [], view: .activeOnly, maxResults: 1000, pageToken: nil)
        var latestParent: [String: String] = [:]
        var cells: [RunRow] = []
        for run in page.items {
            let cell = RunRow(run)
            let parent = run.tags["mlflow.parentRunId"] ?? run.info.id
            guard latestParent[cell.suite, default: parent] == parent else { continue }
            latestParent[cell.suite] = parent
            cells.append(cell)
        }
        return cells.sorted { ($0.suite, $0.params["prompt"] ?? "") < ($1.suite, $1.params["prompt"] ?? "") }
    }

    private func evalExperiments() async throws -> [String] {
        let filter = try SearchFilter.parse("tags.`\(EvalRecorder.kindTag)` = 'evals'", for: .experiments)
        var ids: [String] = []
        var token: String?
        repeat {
            let page = try await store.searchExperiments(filter: filter, order: [], view: .activeOnly, maxResults: 1000, pageToken: token)
            ids += page.items.map(\.id)
            token = page.nextPageToken
        } while token != nil
        return ids
    }
}
