import Foundation
import LoupeCore
import Testing

/// The `TrackingStore` contract (MLflow experiments and runs), run against every backend.
@Suite struct TrackingStoreTests {
    func withTracking(_ backend: StoreBackend, _ body: (any TrackingStore) async throws -> Void) async throws {
        try await backend.withStore { store in try await body(try #require(store as? any TrackingStore)) }
    }

    func newRun(_ store: any TrackingStore, experiment: String, name: String = "run", start: Int64 = 1_000) async throws -> TrackedRun {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let info = RunInfo(
            id: id, experimentID: experiment, name: name, userID: "ann", status: .running, startTime: start,
            artifactURI: "mlflow-artifacts:/\(experiment)/\(id)/artifacts"
        )
        return try await store.createRun(info, tags: ["mlflow.runName": name])
    }

    @Test(arguments: StoreBackend.tested)
    func experimentsHaveUniqueNamesAndADefault(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            #expect(try await store.experiment(id: "0")?.name == "Default")
            let created = try await store.createExperiment(name: "churn", artifactLocation: nil, tags: ["team": "ml"])
            #expect(created.id != "0" && created.artifactLocation == "mlflow-artifacts:/\(created.id)" && created.tags == ["team": "ml"])
            #expect(try await store.experiment(name: "churn") == created)
            await #expect(throws: TrackingError.alreadyExists("Experiment 'churn' already exists.")) {
                try await store.createExperiment(name: "churn", artifactLocation: nil, tags: [:])
            }
            #expect(try await store.experiment(name: "nope") == nil)
            #expect(try await store.experiment(id: "not-a-number") == nil)
            let second = try await store.createExperiment(name: "fraud", artifactLocation: "s3://bucket/fraud", tags: [:])
            #expect(Int(second.id)! > Int(created.id)! && second.artifactLocation == "s3://bucket/fraud")

            try await store.renameExperiment(id: created.id, to: "churn-v2")
            #expect(try await store.experiment(id: created.id)?.name == "churn-v2")
            await #expect(throws: TrackingError.self) { try await store.renameExperiment(id: created.id, to: "fraud") }
            try await store.setExperimentTag(id: created.id, key: "owner", value: "bo")
            try await store.setExperimentTag(id: created.id, key: "team", value: nil)
            #expect(try await store.experiment(id: created.id)?.tags == ["owner": "bo"])
            await #expect(throws: TrackingError.notFound("No Experiment with id=999 exists")) {
                try await store.setExperimentTag(id: "999", key: "a", value: "b")
            }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func deletedExperimentsLeaveTheActiveViewAndComeBack(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let experiment = try await store.createExperiment(name: "trash-me", artifactLocation: nil, tags: [:])
            let run = try await newRun(store, experiment: experiment.id)
            try await store.setExperimentStage(id: experiment.id, .deleted)
            #expect(try await store.searchExperiments(filter: SearchFilter(clauses: []), order: [], view: .activeOnly, maxResults: 100, pageToken: nil).items.map(\.name) == ["Default"])
            #expect(try await store.searchExperiments(filter: SearchFilter(clauses: []), order: [], view: .deletedOnly, maxResults: 100, pageToken: nil).items.map(\.name) == ["trash-me"])
            #expect(try await store.run(id: run.info.id)?.info.lifecycleStage == .deleted)
            await #expect(throws: TrackingError.self) { try await store.createExperiment(name: "trash-me", artifactLocation: nil, tags: [:]) }
            try await store.setExperimentStage(id: experiment.id, .active)
            #expect(try await store.run(id: run.info.id)?.info.lifecycleStage == .active)
            await #expect(throws: TrackingError.self) { try await store.setExperimentStage(id: "0", .deleted) }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func runsKeepParamsTagsAndTheLatestMetric(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let run = try await newRun(store, experiment: "0", name: "first")
            let id = run.info.id
            #expect(run.tags == ["mlflow.runName": "first"] && run.info.status == .running)
            try await store.logBatch(
                runID: id,
                metrics: [
                    MetricPoint(key: "loss", value: 0.9, timestamp: 10, step: 0),
                    MetricPoint(key: "loss", value: 0.5, timestamp: 11, step: 1),
                    MetricPoint(key: "loss", value: 0.7, timestamp: 9, step: 1),  // same step, older: not the latest
                    MetricPoint(key: "odd", value: .nan, timestamp: 5, step: 0),
                    MetricPoint(key: "big", value: .infinity, timestamp: 5, step: 0),
                    MetricPoint(key: "small", value: -.infinity, timestamp: 5, step: 0),
                ],
                params: [("alpha", "0.1"), ("l1", "true")], tags: [("team", "ml")]
            )
            // Logging a point again changes nothing; an older step does not replace the latest.
            try await store.logBatch(runID: id, metrics: [MetricPoint(key: "loss", value: 0.5, timestamp: 11, step: 1), MetricPoint(key: "loss", value: 0.1, timestamp: 99, step: 0)], params: [("alpha", "0.1")], tags: [])
            let stored = try #require(try await store.run(id: id))
            #expect(stored.params == ["alpha": "0.1", "l1": "true"])
            #expect(stored.tags == ["mlflow.runName": "first", "team": "ml"])
            #expect(stored.metrics["loss"] == MetricPoint(key: "loss", value: 0.5, timestamp: 11, step: 1))
            #expect(stored.metrics["odd"]?.value.isNaN == true)
            #expect(stored.metrics["big"]?.value == .infinity && stored.metrics["small"]?.value == -.infinity)

            let history = try await store.metricHistory(runID: id, key: "loss", maxResults: 100, pageToken: nil)
            #expect(history.items.map(\.value) == [0.9, 0.1, 0.7, 0.5] && history.nextPageToken == nil)
            let page = try await store.metricHistory(runID: id, key: "loss", maxResults: 3, pageToken: nil)
            let rest = try await store.metricHistory(runID: id, key: "loss", maxResults: 3, pageToken: page.nextPageToken)
            #expect(page.items.count == 3 && rest.items.map(\.value) == [0.5] && rest.nextPageToken == nil)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func theLatestMetricFollowsMLflowsOrderAcrossBatches(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let id = try await newRun(store, experiment: "0").info.id
            // (step, timestamp, value) compared as a tuple, one batch at a time; a NaN never wins a tie.
            let steps: [(MetricPoint, Double)] = [
                (MetricPoint(key: "loss", value: 0.5, timestamp: 10, step: 1), 0.5),
                (MetricPoint(key: "loss", value: 0.7, timestamp: 10, step: 1), 0.7),  // same step and time, larger value
                (MetricPoint(key: "loss", value: 0.6, timestamp: 10, step: 1), 0.7),  // smaller value
                (MetricPoint(key: "loss", value: .nan, timestamp: 10, step: 1), 0.7),
                (MetricPoint(key: "loss", value: 0.1, timestamp: 11, step: 1), 0.1),  // later time
                (MetricPoint(key: "loss", value: 0.9, timestamp: 99, step: 0), 0.1),  // earlier step, however late
                (MetricPoint(key: "loss", value: 0.2, timestamp: 1, step: 2), 0.2),  // later step, however early
            ]
            for (point, latest) in steps {
                try await store.logBatch(runID: id, metrics: [point], params: [], tags: [])
                #expect(try await store.run(id: id)?.metrics["loss"]?.value == latest, "after \(point)")
            }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func aBatchOfManyPointsKeepsEveryOne(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let id = try await newRun(store, experiment: "0").info.id
            // 250 points: more than one multi-row insert's worth, and a remainder.
            let points = (0..<250).map { (i: Int) -> MetricPoint in
                MetricPoint(key: i % 2 == 0 ? "even" : "odd", value: Double(i) / 4, timestamp: 1_000 + Int64(i), step: Int64(i / 2))
            }
            try await store.logBatch(runID: id, metrics: points, params: [], tags: [])
            let even = try await store.metricHistory(runID: id, key: "even", maxResults: 1_000, pageToken: nil).items
            #expect(even == points.filter { $0.key == "even" })
            let run = try #require(try await store.run(id: id))
            #expect(run.metrics["even"] == points[248] && run.metrics["odd"] == points[249])
        }
    }

    @Test(arguments: StoreBackend.tested)
    func aRunWithoutArtifactURIGoesUnderItsExperiment(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let experiment = try await store.createExperiment(name: "placed", artifactLocation: "s3://bucket/placed", tags: [:])
            let info = RunInfo(id: "0123456789abcdef0123456789abcdef", experimentID: experiment.id, name: "r", userID: "", status: .running, startTime: 1, artifactURI: "")
            let created = try await store.createRun(info, tags: [:])
            #expect(created.info.artifactURI == "s3://bucket/placed/0123456789abcdef0123456789abcdef/artifacts")
            #expect(try await store.run(id: info.id) == created)
            let missing = RunInfo(id: "f0123456789abcdef0123456789abcde", experimentID: "424242", name: "r", userID: "", status: .running, startTime: 1, artifactURI: "")
            await #expect(throws: TrackingError.self) { try await store.createRun(missing, tags: [:]) }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func datasetInputsAreKeptOnceEach(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let id = try await newRun(store, experiment: "0").info.id
            let train: JSONValue = .object([
                "tags": .array([.object(["key": .string("mlflow.data.context"), "value": .string("train")])]),
                "dataset": .object(["name": .string("churn"), "digest": .string("abc123"), "source_type": .string("local")]),
            ])
            let test: JSONValue = .object(["tags": .array([]), "dataset": .object(["name": .string("churn-test"), "digest": .string("def456")])])
            try await store.logInputs(runID: id, datasets: [train])
            try await store.logInputs(runID: id, datasets: [train, test])
            #expect(try await store.run(id: id)?.datasetInputs == [train, test])
            await #expect(throws: TrackingError.self) { try await store.logInputs(runID: "missing", datasets: [train]) }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func aParamCannotChangeAndAFailedBatchLogsNothing(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let id = try await newRun(store, experiment: "0").info.id
            try await store.logBatch(runID: id, metrics: [], params: [("alpha", "0.1")], tags: [])
            await #expect(throws: TrackingError.self) {
                try await store.logBatch(runID: id, metrics: [MetricPoint(key: "m", value: 1, timestamp: 1)], params: [("alpha", "0.2")], tags: [("t", "v")])
            }
            let stored = try #require(try await store.run(id: id))
            #expect(stored.params == ["alpha": "0.1"] && stored.metrics.isEmpty && stored.tags["t"] == nil)
            await #expect(throws: TrackingError.notFound("Run 'missing' not found.")) {
                try await store.logBatch(runID: "missing", metrics: [], params: [], tags: [])
            }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func updatesDeletesAndSearchesRuns(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let experiment = try await store.createExperiment(name: "search", artifactLocation: nil, tags: [:])
            var ids: [String] = []
            for index in 0..<5 { ids.append(try await newRun(store, experiment: experiment.id, name: "r\(index)", start: Int64(1_000 + index)).info.id) }
            let info = try await store.updateRun(id: ids[0], status: .finished, endTime: 2_000, name: "renamed")
            #expect(info.status == .finished && info.endTime == 2_000 && info.name == "renamed")
            #expect(try await store.run(id: ids[0])?.tags["mlflow.runName"] == "renamed")
            try await store.setRunStage(id: ids[1], .deleted)
            try await store.deleteRunTag(runID: ids[2], key: "mlflow.runName")
            await #expect(throws: TrackingError.self) { try await store.deleteRunTag(runID: ids[2], key: "mlflow.runName") }

            let first = try await store.searchRuns(experimentIDs: [experiment.id], filter: SearchFilter(clauses: []), order: [], view: .activeOnly, maxResults: 2, pageToken: nil)
            let second = try await store.searchRuns(experimentIDs: [experiment.id], filter: SearchFilter(clauses: []), order: [], view: .activeOnly, maxResults: 2, pageToken: first.nextPageToken)
            // Newest first; the deleted run is left out.
            #expect(first.items.map(\.info.id) == [ids[4], ids[3]] && second.items.map(\.info.id) == [ids[2], ids[0]])
            #expect(second.nextPageToken == nil)
            #expect(try await store.searchRuns(experimentIDs: [experiment.id], filter: SearchFilter(clauses: []), order: [], view: .deletedOnly, maxResults: 10, pageToken: nil).items.map(\.info.id) == [ids[1]])
            await #expect(throws: TrackingError.self) {
                try await store.searchRuns(experimentIDs: [experiment.id], filter: SearchFilter(clauses: []), order: [], view: .all, maxResults: 10, pageToken: "garbage!")
            }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func searchRunsFiltersAndOrdersInSQL(_ backend: StoreBackend) async throws {
        try await withTracking(backend) { store in
            let experiment = try await store.createExperiment(name: "filters", artifactLocation: nil, tags: [:])
            var ids: [String: String] = [:]
            let rows: [(String, Double?, String?, String?)] = [
                ("a", 0.30, "0.1", "Prod"), ("b", 0.45, "0.1", "prod"), ("c", 0.90, "0.2", nil), ("d", .nan, "0.1", "dev"), ("e", nil, nil, "prod-eu"),
            ]
            for (index, (name, rmse, alpha, stage)) in rows.enumerated() {
                let id = try await newRun(store, experiment: experiment.id, name: name, start: Int64(1_000 + index)).info.id
                ids[name] = id
                try await store.logBatch(
                    runID: id, metrics: rmse.map { [MetricPoint(key: "rmse", value: $0, timestamp: 1)] } ?? [],
                    params: alpha.map { [("alpha", $0)] } ?? [], tags: stage.map { [("stage", $0)] } ?? []
                )
            }
            func names(_ filter: String, order: [String] = []) async throws -> [String] {
                let page = try await store.searchRuns(
                    experimentIDs: [experiment.id], filter: try SearchFilter.parse(filter, for: .runs),
                    order: try SearchOrder.parse(order, for: .runs), view: .activeOnly, maxResults: 100, pageToken: nil
                )
                return page.items.map(\.info.name)
            }
            #expect(try await names("metrics.rmse < 0.5 and params.alpha = '0.1'", order: ["metrics.rmse ASC"]) == ["a", "b"])
            #expect(try await names("metrics.rmse != 0.3", order: ["metrics.rmse DESC"]) == ["c", "b", "d"])  // NaN matches only !=
            // Missing values (and NaN) last, then MLflow's tie-breaker: newest start first.
            #expect(try await names("", order: ["metrics.rmse ASC"]) == ["a", "b", "c", "e", "d"])
            #expect(try await names("tags.stage LIKE 'prod%'") == ["e", "b"])  // LIKE is case-sensitive, on both stores
            #expect(try await names("tags.stage ILIKE 'prod%'") == ["e", "b", "a"])
            #expect(try await names("params.alpha IS NULL") == ["e"])
            #expect(try await names("attributes.run_id IN ('\(ids["a"]!)', '\(ids["c"]!)')") == ["c", "a"])
            #expect(try await names("attributes.start_time >= 1003") == ["e", "d"])
            // A value that looks like SQL is only a value.
            #expect(try await names("params.alpha = '0.1'' OR ''1''=''1'").isEmpty)
            #expect(try await names("tags.`stage` = 'prod''; DROP TABLE runs; --'").isEmpty)
            #expect(throws: SearchFilterError.self) { try SearchFilter.parse("tags.stage = 'prod'; DROP TABLE runs; --", for: .runs) }
            #expect(try await names("").count == 5)

            let experiments = try await store.searchExperiments(
                filter: try SearchFilter.parse("name LIKE 'filt%'", for: .experiments), order: try SearchOrder.parse(["name DESC"], for: .experiments),
                view: .activeOnly, maxResults: 10, pageToken: nil
            )
            #expect(experiments.items.map(\.name) == ["filters"])
        }
    }
}
