import Foundation
import LoupeCore
import PostgresNIO

/// MLflow experiments and runs in the same PostgreSQL database as the traces.
extension PostgresTraceStore: TrackingStore {
    static let createTracking: [String] = [
        // MLflow's ids are decimal strings; 0 is the Default experiment, later ones come from the sequence.
        "CREATE SEQUENCE experiment_ids START 1",
        """
        CREATE TABLE experiments (
            id BIGINT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            creation_time BIGINT NOT NULL,        -- Unix milliseconds
            last_update_time BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE experiment_tags (
            experiment_id BIGINT NOT NULL REFERENCES experiments (id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)
        )
        """,
        """
        CREATE TABLE runs (
            id TEXT COLLATE "C" PRIMARY KEY,      -- 32 hex digits
            experiment_id BIGINT NOT NULL REFERENCES experiments (id),
            name TEXT NOT NULL,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time BIGINT NOT NULL,
            end_time BIGINT,
            artifact_uri TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL
        )
        """,
        "CREATE INDEX runs_experiment ON runs (experiment_id, start_time)",
        "CREATE TABLE run_params (run_id TEXT NOT NULL REFERENCES runs (id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))",
        "CREATE TABLE run_tags (run_id TEXT NOT NULL REFERENCES runs (id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))",
        // float8 keeps NaN and the infinities; the key makes logging the same point twice a no-op, as in MLflow.
        """
        CREATE TABLE run_metrics (
            run_id TEXT NOT NULL REFERENCES runs (id),
            key TEXT NOT NULL,
            step BIGINT NOT NULL,
            timestamp BIGINT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (run_id, key, step, timestamp, value)
        )
        """,
        """
        CREATE TABLE run_latest_metrics (
            run_id TEXT NOT NULL REFERENCES runs (id),
            key TEXT NOT NULL,
            step BIGINT NOT NULL,
            timestamp BIGINT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (run_id, key)
        )
        """,
        """
        INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
        VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', (extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint)
        """,
    ]

    public func createExperiment(name: String, artifactLocation: String?, tags: [String: String]) async throws -> Experiment {
        guard !name.isEmpty else { throw TrackingError.invalidParameter("Experiment name must be a non-empty string.") }
        return try await withConnection("create experiment \(name)") { connection in
            try await self.transaction(on: connection) {
                let now = Date().unixMillis
                let id = try await connection.query("""
                    INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                    SELECT n, \(name), coalesce(\(artifactLocation), 'mlflow-artifacts:/' || n), 'active', \(now), \(now)
                    FROM (SELECT nextval('experiment_ids') AS n) AS next
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """, logger: self.logger).collect().first?.decode(Int64.self)
                guard let id else { throw TrackingError.alreadyExists("Experiment '\(name)' already exists.") }
                for (key, value) in tags {
                    try await self.execute("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (\(id), \(key), \(value))", on: connection)
                }
                return try await self.experiment(on: connection, .id(id))!
            }
        }
    }

    public func experiment(id: String) async throws -> Experiment? {
        guard let number = Int64(id) else { return nil }
        return try await withConnection("read experiment \(id)") { try await self.experiment(on: $0, .id(number)) }
    }

    public func experiment(name: String) async throws -> Experiment? {
        try await withConnection("read experiment \(name)") { try await self.experiment(on: $0, .name(name)) }
    }

    public func searchExperiments(
        filter: SearchFilter, order: [SearchOrder], view: ViewType, maxResults: Int, pageToken: String?
    ) async throws -> TrackingPage<Experiment> {
        let stages = view.stages.map(\.rawValue)
        let (query, offset) = try Self.searchQuery(
            { "SELECT id FROM experiments WHERE lifecycle_stage = ANY(\($0.bind(stages)))" }, .experiments, filter, order, maxResults, pageToken
        )
        return try await withConnection("search experiments") { connection in
            let ids = try await connection.query(query, logger: self.logger).collect().map { try $0.decode(Int64.self) }
            var experiments: [Experiment] = []
            for id in ids.prefix(maxResults) {
                if let experiment = try await self.experiment(on: connection, .id(id)) { experiments.append(experiment) }
            }
            return TrackingPage(items: experiments, nextPageToken: ids.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func renameExperiment(id: String, to name: String) async throws {
        guard !name.isEmpty else { throw TrackingError.invalidParameter("Experiment name must be a non-empty string.") }
        try await withConnection("rename experiment \(id)") { connection in
            let number = try await self.existingExperiment(on: connection, id)
            let taken = try await self.firstInt("SELECT count(*) FROM experiments WHERE name = \(name) AND id <> \(number)", on: connection)
            guard taken == 0 else { throw TrackingError.alreadyExists("Experiment '\(name)' already exists.") }
            try await self.execute("UPDATE experiments SET name = \(name), last_update_time = \(Date().unixMillis) WHERE id = \(number)", on: connection)
        }
    }

    public func setExperimentStage(id: String, _ stage: LifecycleStage) async throws {
        try await withConnection("change experiment \(id)") { connection in
            try await self.transaction(on: connection) {
                let number = try await self.existingExperiment(on: connection, id)
                if number == 0 && stage == .deleted { throw TrackingError.invalidParameter("The Default experiment cannot be deleted.") }
                try await self.execute(
                    "UPDATE experiments SET lifecycle_stage = \(stage.rawValue), last_update_time = \(Date().unixMillis) WHERE id = \(number)",
                    on: connection
                )
                // Runs follow their experiment into and out of the trash, as in MLflow.
                try await self.execute("UPDATE runs SET lifecycle_stage = \(stage.rawValue) WHERE experiment_id = \(number)", on: connection)
            }
        }
    }

    public func setExperimentTag(id: String, key: String, value: String?) async throws {
        try await withConnection("tag experiment \(id)") { connection in
            let number = try await self.existingExperiment(on: connection, id)
            if let value {
                try await self.execute("""
                    INSERT INTO experiment_tags (experiment_id, key, value) VALUES (\(number), \(key), \(value))
                    ON CONFLICT (experiment_id, key) DO UPDATE SET value = EXCLUDED.value
                    """, on: connection)
            } else {
                let deleted = try await self.firstInt(
                    "WITH gone AS (DELETE FROM experiment_tags WHERE experiment_id = \(number) AND key = \(key) RETURNING 1) SELECT count(*) FROM gone",
                    on: connection
                )
                if deleted == 0 { throw TrackingError.notFound("No tag with key '\(key)' in experiment \(id).") }
            }
        }
    }

    public func createRun(_ info: RunInfo, tags: [String: String]) async throws -> TrackedRun {
        try await withConnection("create a run") { connection in
            try await self.transaction(on: connection) {
                let experiment = try await self.existingExperiment(on: connection, info.experimentID)
                let row = try await connection.query(
                    "SELECT lifecycle_stage, artifact_location FROM experiments WHERE id = \(experiment)", logger: self.logger
                ).collect().first?.decode((String, String).self)
                guard let row, row.0 == LifecycleStage.active.rawValue else {
                    throw TrackingError.invalidParameter("Experiment \(info.experimentID) is deleted; restore it to create runs in it.")
                }
                let artifactURI = info.artifactURI.isEmpty ? "\(row.1)/\(info.id)/artifacts" : info.artifactURI
                try await self.execute("""
                    INSERT INTO runs (id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
                    VALUES (\(info.id), \(experiment), \(info.name), \(info.userID), \(info.status.rawValue), \(info.startTime), \(info.endTime),
                            \(artifactURI), \(info.lifecycleStage.rawValue))
                    """, on: connection)
                for (key, value) in tags {
                    try await self.execute("INSERT INTO run_tags (run_id, key, value) VALUES (\(info.id), \(key), \(value))", on: connection)
                }
                return try await self.runs(on: connection, ids: [info.id])[0]
            }
        }
    }

    public func run(id: String) async throws -> TrackedRun? {
        try await withConnection("read run \(id)") { try await self.runs(on: $0, ids: [id]).first }
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, name: String?) async throws -> RunInfo {
        try await withConnection("update run \(id)") { connection in
            try await self.transaction(on: connection) {
                try await self.requireRun(on: connection, id)
                if let status { try await self.execute("UPDATE runs SET status = \(status.rawValue) WHERE id = \(id)", on: connection) }
                if let endTime { try await self.execute("UPDATE runs SET end_time = \(endTime) WHERE id = \(id)", on: connection) }
                if let name {
                    try await self.execute("UPDATE runs SET name = \(name) WHERE id = \(id)", on: connection)
                    // The client reads the name from the mlflow.runName tag too; keep them the same.
                    try await self.execute("""
                        INSERT INTO run_tags (run_id, key, value) VALUES (\(id), 'mlflow.runName', \(name))
                        ON CONFLICT (run_id, key) DO UPDATE SET value = EXCLUDED.value
                        """, on: connection)
                }
                return try await self.runs(on: connection, ids: [id])[0].info
            }
        }
    }

    public func setRunStage(id: String, _ stage: LifecycleStage) async throws {
        try await withConnection("change run \(id)") { connection in
            try await self.requireRun(on: connection, id)
            try await self.execute("UPDATE runs SET lifecycle_stage = \(stage.rawValue) WHERE id = \(id)", on: connection)
        }
    }

    public func logBatch(
        runID: String, metrics: [MetricPoint], params: [(key: String, value: String)], tags: [(key: String, value: String)]
    ) async throws {
        try await withConnection("log to run \(runID)") { connection in
            try await self.transaction(on: connection) {
                // Locks the run, so concurrent batches update its latest metrics one after the other.
                let stage = try await connection.query("SELECT lifecycle_stage FROM runs WHERE id = \(runID) FOR UPDATE", logger: self.logger)
                    .collect().first?.decode(String.self)
                guard let stage else { throw TrackingError.notFound("Run '\(runID)' not found.") }
                guard stage == LifecycleStage.active.rawValue else {
                    throw TrackingError.invalidParameter("The run \(runID) must be in the 'active' state. Current state is \(stage).")
                }
                for (key, value) in params {
                    let existing = try await connection.query("""
                        WITH added AS (
                            INSERT INTO run_params (run_id, key, value) VALUES (\(runID), \(key), \(value)) ON CONFLICT (run_id, key) DO NOTHING RETURNING value
                        )
                        SELECT value FROM run_params WHERE run_id = \(runID) AND key = \(key) AND NOT EXISTS (SELECT 1 FROM added)
                        """, logger: self.logger).collect().first?.decode(String.self)
                    if let existing, existing != value {
                        throw TrackingError.invalidParameter(
                            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(existing)' for run ID='\(runID)'. Attempted logging new value '\(value)'."
                        )
                    }
                }
                for (key, value) in tags {
                    try await self.execute("""
                        INSERT INTO run_tags (run_id, key, value) VALUES (\(runID), \(key), \(value))
                        ON CONFLICT (run_id, key) DO UPDATE SET value = EXCLUDED.value
                        """, on: connection)
                    if key == "mlflow.runName" { try await self.execute("UPDATE runs SET name = \(value) WHERE id = \(runID)", on: connection) }
                }
                guard !metrics.isEmpty else { return }
                try await self.execute("""
                    INSERT INTO run_metrics (run_id, key, step, timestamp, value)
                    SELECT \(runID), * FROM unnest(\(metrics.map(\.key))::text[], \(metrics.map(\.step))::int8[],
                                                   \(metrics.map(\.timestamp))::int8[], \(metrics.map(\.value))::float8[])
                    ON CONFLICT DO NOTHING
                    """, on: connection)
                var latest: [String: MetricPoint] = [:]
                for metric in metrics where latest[metric.key].map({ metric.isLater(than: $0) }) ?? true { latest[metric.key] = metric }
                let keys = Array(latest.keys)
                let stored = try await connection.query(
                    "SELECT key, step, timestamp, value FROM run_latest_metrics WHERE run_id = \(runID) AND key = ANY(\(keys))", logger: self.logger
                ).collect()
                for row in stored {
                    let (key, step, timestamp, value) = try row.decode((String, Int64, Int64, Double).self)
                    if let candidate = latest[key], !candidate.isLater(than: MetricPoint(key: key, value: value, timestamp: timestamp, step: step)) {
                        latest[key] = nil
                    }
                }
                for candidate in latest.values {
                    try await self.execute("""
                        INSERT INTO run_latest_metrics (run_id, key, step, timestamp, value)
                        VALUES (\(runID), \(candidate.key), \(candidate.step), \(candidate.timestamp), \(candidate.value))
                        ON CONFLICT (run_id, key) DO UPDATE SET step = EXCLUDED.step, timestamp = EXCLUDED.timestamp, value = EXCLUDED.value
                        """, on: connection)
                }
            }
        }
    }

    public func deleteRunTag(runID: String, key: String) async throws {
        try await withConnection("untag run \(runID)") { connection in
            try await self.requireRun(on: connection, runID)
            let deleted = try await self.firstInt(
                "WITH gone AS (DELETE FROM run_tags WHERE run_id = \(runID) AND key = \(key) RETURNING 1) SELECT count(*) FROM gone", on: connection
            )
            if deleted == 0 { throw TrackingError.notFound("No tag with name: \(key) in run with id \(runID)") }
        }
    }

    public func logInputs(runID: String, datasets: [JSONValue]) async throws {
        try await withConnection("log inputs of run \(runID)") { connection in
            try await self.requireRun(on: connection, runID)
            for dataset in datasets {
                try await self.execute("INSERT INTO run_inputs (run_id, input) VALUES (\(runID), \(dataset.jsonText)) ON CONFLICT DO NOTHING", on: connection)
            }
        }
    }

    public func metricHistory(runID: String, key: String, maxResults: Int, pageToken: String?) async throws -> TrackingPage<MetricPoint> {
        let offset = try PageToken.offset(pageToken)
        return try await withConnection("read metric history") { connection in
            try await self.requireRun(on: connection, runID)
            let rows = try await connection.query("""
                SELECT step, timestamp, value FROM run_metrics WHERE run_id = \(runID) AND key = \(key)
                ORDER BY step, timestamp, value LIMIT \(maxResults + 1) OFFSET \(offset)
                """, logger: self.logger).collect()
            let points = try rows.prefix(maxResults).map { row in
                let (step, timestamp, value) = try row.decode((Int64, Int64, Double).self)
                return MetricPoint(key: key, value: value, timestamp: timestamp, step: step)
            }
            return TrackingPage(items: points, nextPageToken: rows.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func searchRuns(
        experimentIDs: [String], filter: SearchFilter, order: [SearchOrder], view: ViewType, maxResults: Int, pageToken: String?
    ) async throws -> TrackingPage<TrackedRun> {
        let experiments = experimentIDs.compactMap { Int64($0) }
        guard !experiments.isEmpty else { return TrackingPage(items: [], nextPageToken: nil) }
        let stages = view.stages.map(\.rawValue)
        let (query, offset) = try Self.searchQuery(
            { "SELECT id FROM runs WHERE experiment_id = ANY(\($0.bind(experiments))) AND lifecycle_stage = ANY(\($0.bind(stages)))" },
            .runs, filter, order, maxResults, pageToken
        )
        return try await withConnection("search runs") { connection in
            let ids = try await connection.query(query, logger: self.logger).collect().map { try $0.decode(String.self) }
            let runs = try await self.runs(on: connection, ids: Array(ids.prefix(maxResults)))
            return TrackingPage(items: runs, nextPageToken: ids.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    // MARK: - Reading rows

    /// How an experiment is looked up.
    enum ExperimentKey {
        case id(Int64)
        case name(String)
    }

    func experiment(on connection: PostgresConnection, _ key: ExperimentKey) async throws -> Experiment? {
        let columns = "id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"
        let query: PostgresQuery = switch key {
        case .id(let id): "SELECT \(unescaped: columns) FROM experiments WHERE id = \(id)"
        case .name(let name): "SELECT \(unescaped: columns) FROM experiments WHERE name = \(name)"
        }
        guard let row = try await connection.query(query, logger: logger).collect().first else { return nil }
        let (id, name, location, stage, created, updated) = try row.decode((Int64, String, String, String, Int64, Int64).self)
        var tags: [String: String] = [:]
        for tag in try await connection.query("SELECT key, value FROM experiment_tags WHERE experiment_id = \(id)", logger: logger).collect() {
            let (key, value) = try tag.decode((String, String).self)
            tags[key] = value
        }
        return Experiment(
            id: String(id), name: name, artifactLocation: location, lifecycleStage: LifecycleStage(rawValue: stage) ?? .active,
            creationTime: created, lastUpdateTime: updated, tags: tags
        )
    }

    /// Runs with their params, tags and latest metrics, in the order of `ids`; ids not stored are left out.
    func runs(on connection: PostgresConnection, ids: [String]) async throws -> [TrackedRun] {
        guard !ids.isEmpty else { return [] }
        var byID: [String: TrackedRun] = [:]
        let rows = try await connection.query("""
            SELECT id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage FROM runs WHERE id = ANY(\(ids))
            """, logger: logger).collect()
        for row in rows {
            let (id, experiment, name, user, status, start, end, uri, stage) =
                try row.decode((String, Int64, String, String, String, Int64, Int64?, String, String).self)
            byID[id] = TrackedRun(info: RunInfo(
                id: id, experimentID: String(experiment), name: name, userID: user, status: RunStatus(rawValue: status) ?? .running,
                startTime: start, endTime: end, artifactURI: uri, lifecycleStage: LifecycleStage(rawValue: stage) ?? .active
            ))
        }
        for row in try await connection.query("SELECT run_id, key, value FROM run_params WHERE run_id = ANY(\(ids))", logger: logger).collect() {
            let (run, key, value) = try row.decode((String, String, String).self)
            byID[run]?.params[key] = value
        }
        for row in try await connection.query("SELECT run_id, key, value FROM run_tags WHERE run_id = ANY(\(ids))", logger: logger).collect() {
            let (run, key, value) = try row.decode((String, String, String).self)
            byID[run]?.tags[key] = value
        }
        for row in try await connection.query("SELECT run_id, input FROM run_inputs WHERE run_id = ANY(\(ids)) ORDER BY seq", logger: logger).collect() {
            let (run, text) = try row.decode((String, String).self)
            if let input = JSONValue.parse(text) { byID[run]?.datasetInputs.append(input) }
        }
        let metrics = try await connection.query(
            "SELECT run_id, key, step, timestamp, value FROM run_latest_metrics WHERE run_id = ANY(\(ids))", logger: logger
        ).collect()
        for row in metrics {
            let (run, key, step, timestamp, value) = try row.decode((String, String, Int64, Int64, Double).self)
            byID[run]?.metrics[key] = MetricPoint(key: key, value: value, timestamp: timestamp, step: step)
        }
        return ids.compactMap { byID[$0] }
    }

    func existingExperiment(on connection: PostgresConnection, _ id: String) async throws -> Int64 {
        guard let number = Int64(id), try await firstInt("SELECT count(*) FROM experiments WHERE id = \(number)", on: connection) > 0 else {
            throw TrackingError.notFound("No Experiment with id=\(id) exists")
        }
        return number
    }

    func requireRun(on connection: PostgresConnection, _ id: String) async throws {
        guard try await firstInt("SELECT count(*) FROM runs WHERE id = \(id)", on: connection) > 0 else {
            throw TrackingError.notFound("Run '\(id)' not found")
        }
    }
}
