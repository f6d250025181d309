import Foundation
import GRDB
import LoupeCore
import Synchronization

/// MLflow experiments and runs in the same SQLite file as the traces.
extension SQLiteTraceStore: TrackingStore {
    static let createTracking = """
        CREATE TABLE experiments (
            id INTEGER PRIMARY KEY,               -- MLflow's ids are decimal strings; 0 is Default
            name TEXT NOT NULL UNIQUE,
            artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            creation_time INTEGER NOT NULL,       -- Unix milliseconds
            last_update_time INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)
        ) STRICT;
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,                  -- 32 hex digits
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            name TEXT NOT NULL,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            artifact_uri TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL
        ) STRICT;
        CREATE INDEX runs_experiment ON runs(experiment_id, start_time);
        CREATE TABLE run_params (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key)
        ) STRICT;
        CREATE TABLE run_tags (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key)
        ) STRICT;
        -- Every logged value. SQLite stores NaN as NULL, so NaN is value 0 with is_nan 1, as MLflow does;
        -- the key makes logging the same point twice a no-op, as in MLflow.
        CREATE TABLE run_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            step INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            value REAL NOT NULL,
            is_nan INTEGER NOT NULL,
            PRIMARY KEY (run_id, key, step, timestamp, value, is_nan)
        ) STRICT, WITHOUT ROWID;
        -- The latest value of each metric, for reading and searching runs without scanning the history.
        CREATE TABLE run_latest_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            step INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            value REAL NOT NULL,
            is_nan INTEGER NOT NULL,
            PRIMARY KEY (run_id, key)
        ) STRICT;
        INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
        VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
                CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
        """

    /// Runs in the order a search returns them by default, so a search reads a page and stops instead of sorting
    /// every run of the experiment; with the stage it answers the search without reading the table. It
    /// replaces the first index on (experiment_id, start_time).
    static let runSearchOrderIndex = """
        CREATE INDEX runs_search ON runs(experiment_id, start_time DESC, id, lifecycle_stage);
        DROP INDEX runs_experiment;
        """

    /// A run's params, tags and latest metrics, clustered by (run_id, key) so that reading or filtering a run's
    /// values is one b-tree search each, not an index search and then a table read.
    static let clusterRunValues = """
        CREATE TABLE run_params_clustered (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO run_params_clustered SELECT run_id, key, value FROM run_params;
        DROP TABLE run_params;
        ALTER TABLE run_params_clustered RENAME TO run_params;
        CREATE TABLE run_tags_clustered (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO run_tags_clustered SELECT run_id, key, value FROM run_tags;
        DROP TABLE run_tags;
        ALTER TABLE run_tags_clustered RENAME TO run_tags;
        CREATE TABLE run_latest_metrics_clustered (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL,
            value REAL NOT NULL, is_nan INTEGER NOT NULL, PRIMARY KEY (run_id, key)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO run_latest_metrics_clustered SELECT run_id, key, step, timestamp, value, is_nan FROM run_latest_metrics;
        DROP TABLE run_latest_metrics;
        ALTER TABLE run_latest_metrics_clustered RENAME TO run_latest_metrics;
        """

    /// Gives runs an integer key and re-keys their params, tags and latest metrics by it. A search tests a clause
    /// per run with one b-tree search in these tables, and comparing an integer there instead of 32 hex digits
    /// takes about a third of a search's filtering off; the tables shrink by the same 32 bytes a row.
    /// (`runs.id` stays unique, and the history and inputs keep referencing it.)
    static let keyRunValues = """
        CREATE TABLE runs_keyed (
            key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,              -- 32 hex digits
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            name TEXT NOT NULL,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            artifact_uri TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL
        ) STRICT;
        INSERT INTO runs_keyed (id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
        SELECT id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage FROM runs ORDER BY rowid;
        CREATE TABLE run_params_keyed (
            run_key INTEGER NOT NULL REFERENCES runs(key), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_key, key)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO run_params_keyed SELECT r.key, x.key, x.value FROM run_params x JOIN runs_keyed r ON r.id = x.run_id;
        CREATE TABLE run_tags_keyed (
            run_key INTEGER NOT NULL REFERENCES runs(key), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_key, key)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO run_tags_keyed SELECT r.key, x.key, x.value FROM run_tags x JOIN runs_keyed r ON r.id = x.run_id;
        CREATE TABLE run_latest_metrics_keyed (
            run_key INTEGER NOT NULL REFERENCES runs(key), key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL,
            value REAL NOT NULL, is_nan INTEGER NOT NULL, PRIMARY KEY (run_key, key)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO run_latest_metrics_keyed
        SELECT r.key, x.key, x.step, x.timestamp, x.value, x.is_nan FROM run_latest_metrics x JOIN runs_keyed r ON r.id = x.run_id;
        DROP TABLE run_params;
        DROP TABLE run_tags;
        DROP TABLE run_latest_metrics;
        DROP TABLE runs;
        ALTER TABLE runs_keyed RENAME TO runs;
        ALTER TABLE run_params_keyed RENAME TO run_params;
        ALTER TABLE run_tags_keyed RENAME TO run_tags;
        ALTER TABLE run_latest_metrics_keyed RENAME TO run_latest_metrics;
        CREATE INDEX runs_search ON runs(experiment_id, start_time DESC, id, lifecycle_stage);
        """

    public func createExperiment(name: String, artifactLocation: String?, tags: [String: String]) async throws -> Experiment {
        guard !name.isEmpty else { throw TrackingError.invalidParameter("Experiment name must be a non-empty string.") }
        return try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [name]) != nil {
                throw TrackingError.alreadyExists("Experiment '\(name)' already exists.")
            }
            let now = Date().unixMillis
            let id = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM experiments") ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (?, ?, ?, 'active', ?, ?)
                """, arguments: [id, name, artifactLocation ?? "mlflow-artifacts:/\(id)", now, now])
            for (key, value) in tags {
                try db.execute(sql: "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)", arguments: [id, key, value])
            }
            return try Self.experiment(db, sql: "SELECT * FROM experiments WHERE id = ?", [id])!
        }
    }

    public func experiment(id: String) async throws -> Experiment? {
        guard let number = Int64(id) else { return nil }
        return try await writer.read { db in try Self.experiment(db, sql: "SELECT * FROM experiments WHERE id = ?", [number]) }
    }

    public func experiment(name: String) async throws -> Experiment? {
        try await writer.read { db in try Self.experiment(db, sql: "SELECT * FROM experiments WHERE name = ?", [name]) }
    }

    public func searchExperiments(
        filter: SearchFilter, order: [SearchOrder], view: ViewType, maxResults: Int, pageToken: String?
    ) async throws -> TrackingPage<Experiment> {
        let stages = view.stages.map(\.rawValue)
        let (sql, arguments, offset) = try Self.searchSQL(
            "SELECT * FROM experiments WHERE lifecycle_stage IN (\(databaseQuestionMarks(count: stages.count)))", leading: StatementArguments(stages),
            .experiments, filter, order, maxResults, pageToken
        )
        return try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let experiments = try rows.prefix(maxResults).map { try Self.experiment(db, row: $0) }
            return TrackingPage(items: experiments, nextPageToken: rows.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func renameExperiment(id: String, to name: String) async throws {
        guard !name.isEmpty else { throw TrackingError.invalidParameter("Experiment name must be a non-empty string.") }
        try await writer.write { db in
            let number = try Self.existingExperiment(db, id)
            if try Int64.fetchOne(db, sql: "SELECT id FROM experiments WHERE name = ? AND id <> ?", arguments: [name, number]) != nil {
                throw TrackingError.alreadyExists("Experiment '\(name)' already exists.")
            }
            try db.execute(sql: "UPDATE experiments SET name = ?, last_update_time = ? WHERE id = ?", arguments: [name, Date().unixMillis, number])
        }
    }

    public func setExperimentStage(id: String, _ stage: LifecycleStage) async throws {
        try await writer.write { db in
            let number = try Self.existingExperiment(db, id)
            if number == 0 && stage == .deleted { throw TrackingError.invalidParameter("The Default experiment cannot be deleted.") }
            try db.execute(sql: "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE id = ?", arguments: [stage.rawValue, Date().unixMillis, number])
            // Runs follow their experiment into and out of the trash, as in MLflow.
            try db.execute(sql: "UPDATE runs SET lifecycle_stage = ? WHERE experiment_id = ?", arguments: [stage.rawValue, number])
        }
    }

    public func setExperimentTag(id: String, key: String, value: String?) async throws {
        try await writer.write { db in
            let number = try Self.existingExperiment(db, id)
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)", arguments: [number, key, value])
            } else {
                try db.execute(sql: "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", arguments: [number, key])
                if db.changesCount == 0 { throw TrackingError.notFound("No tag with key '\(key)' in experiment \(id).") }
            }
        }
    }

    public func createRun(_ info: RunInfo, tags: [String: String]) async throws -> TrackedRun {
        try await trackingWrite { db in
            var experiment = try SQLiteRowBinder(
                db.cachedStatement(sql: "SELECT lifecycle_stage, artifact_location FROM experiments WHERE id = ?"), in: db
            )
            try experiment.bind(Int64(info.experimentID))
            guard try experiment.step() else { throw TrackingError.notFound("No Experiment with id=\(info.experimentID) exists") }
            let stage = String(decoding: experiment.bytes(at: 0), as: UTF8.self)
            let artifactLocation = String(decoding: experiment.bytes(at: 1), as: UTF8.self)
            experiment.reset()
            guard stage == LifecycleStage.active.rawValue else {
                throw TrackingError.invalidParameter("Experiment \(info.experimentID) is deleted; restore it to create runs in it.")
            }
            var run = TrackedRun(info: info)
            if info.artifactURI.isEmpty { run.info.artifactURI = "\(artifactLocation)/\(info.id)/artifacts" }
            var insertRun = try SQLiteRowBinder(db.cachedStatement(sql: """
                INSERT INTO runs (id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """), in: db)
            try insertRun.bind(info.id)
            try insertRun.bind(Int64(info.experimentID))
            try insertRun.bind(info.name)
            try insertRun.bind(info.userID)
            try insertRun.bind(info.status.rawValue)
            try insertRun.bind(info.startTime)
            try insertRun.bind(info.endTime)
            try insertRun.bind(run.info.artifactURI)
            try insertRun.bind(info.lifecycleStage.rawValue)
            try insertRun.execute()
            let runKey = db.lastInsertedRowID
            let insertTag = try db.cachedStatement(sql: "INSERT OR REPLACE INTO run_tags (run_key, key, value) VALUES (?, ?, ?)")
            for (key, value) in tags {
                var binder = try SQLiteRowBinder(insertTag, in: db)
                try binder.bind(runKey)
                try binder.bind(key)
                try binder.bind(value)
                try binder.execute()
            }
            // A new run is what was just written; no need to read it back.
            run.tags = tags
            return run
        }
    }

    public func run(id: String) async throws -> TrackedRun? {
        try await trackingRead { db in try Self.runs(db, ids: [id]).first }
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, name: String?) async throws -> RunInfo {
        try await writer.write { db in
            try Self.requireRun(db, id)
            if let status { try db.execute(sql: "UPDATE runs SET status = ? WHERE id = ?", arguments: [status.rawValue, id]) }
            if let endTime { try db.execute(sql: "UPDATE runs SET end_time = ? WHERE id = ?", arguments: [endTime, id]) }
            if let name {
                try db.execute(sql: "UPDATE runs SET name = ? WHERE id = ?", arguments: [name, id])
                // The client reads the name from the mlflow.runName tag too; keep them the same.
                try db.execute(
                    sql: "INSERT OR REPLACE INTO run_tags (run_key, key, value) SELECT key, 'mlflow.runName', ? FROM runs WHERE id = ?",
                    arguments: [name, id]
                )
            }
            return try Self.runs(db, ids: [id])[0].info
        }
    }

    public func setRunStage(id: String, _ stage: LifecycleStage) async throws {
        try await writer.write { db in
            try Self.requireRun(db, id)
            try db.execute(sql: "UPDATE runs SET lifecycle_stage = ? WHERE id = ?", arguments: [stage.rawValue, id])
        }
    }

    public func logBatch(
        runID: String, metrics: [MetricPoint], params: [(key: String, value: String)], tags: [(key: String, value: String)]
    ) async throws {
        try await trackingWrite { db in
            // Read through SQLite's C API too: GRDB's Row.fetchOne was a third of this call's writer time.
            var lookup = try SQLiteRowBinder(db.cachedStatement(sql: "SELECT key, lifecycle_stage FROM runs WHERE id = ?"), in: db)
            try lookup.bind(runID)
            guard try lookup.step() else { throw TrackingError.notFound("Run '\(runID)' not found.") }
            let runKey = lookup.int64(at: 0)
            let stage = String(decoding: lookup.bytes(at: 1), as: UTF8.self)
            lookup.reset()
            guard stage == LifecycleStage.active.rawValue else {
                throw TrackingError.invalidParameter("The run \(runID) must be in the 'active' state. Current state is \(stage).")
            }
            // Values are bound through SQLite's C API (SQLiteRowBinder): a training loop calls this constantly.
            if !params.isEmpty {
                let insert = try db.cachedStatement(sql: "INSERT INTO run_params (run_key, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                for (key, value) in params {
                    var binder = try SQLiteRowBinder(insert, in: db)
                    try binder.bind(runKey)
                    try binder.bind(key)
                    try binder.bind(value)
                    try binder.execute()
                    guard db.changesCount == 0 else { continue }
                    let existing = try String.fetchOne(db, sql: "SELECT value FROM run_params WHERE run_key = ? AND key = ?", arguments: [runKey, key])
                    guard existing == value else {
                        throw TrackingError.invalidParameter(
                            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(existing ?? "")' for run ID='\(runID)'. Attempted logging new value '\(value)'."
                        )
                    }
                }
            }
            if !tags.isEmpty {
                let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO run_tags (run_key, key, value) VALUES (?, ?, ?)")
                for (key, value) in tags {
                    var binder = try SQLiteRowBinder(insert, in: db)
                    try binder.bind(runKey)
                    try binder.bind(key)
                    try binder.bind(value)
                    try binder.execute()
                    if key == "mlflow.runName" { try db.execute(sql: "UPDATE runs SET name = ? WHERE key = ?", arguments: [value, runKey]) }
                }
            }
            guard !metrics.isEmpty else { return }
            try Self.insertMetrics(db, runID: runID, metrics)
            var latest: [String: MetricPoint] = [:]
            for metric in metrics {
                if let current = latest[metric.key], !metric.isLater(than: current) { continue }
                latest[metric.key] = metric
            }
            // MetricPoint.isLater in SQL: the stored latest value is replaced only by a later one. Each key is once in
            // `latest`, so one statement may upsert several.
            try Self.executeInChunks(db, Array(latest.values), sql: Self.upsertLatestMetricsSQL) { binder, candidate in
                try binder.bind(runKey)
                try Self.bind(candidate, to: &binder)
            }
        }
    }

    /// Inserts metric points, several rows per statement: one statement per point costs more than the row itself
    /// when a batch brings a thousand, and a log-batch of ten took ten.
    static func insertMetrics(_ db: Database, runID: String, _ metrics: [MetricPoint]) throws {
        try executeInChunks(db, metrics, sql: insertMetricsSQL) { binder, metric in
            try binder.bind(runID)
            try bind(metric, to: &binder)
        }
    }

    /// Runs `sql`'s statement for `rowsPerStatement` rows at a time over `items`, each row bound by `bindRow`.
    private static func executeInChunks<Item>(
        _ db: Database, _ items: [Item], sql: [Int: String], bindRow: (inout SQLiteRowBinder, Item) throws -> Void
    ) throws {
        var start = 0
        while start < items.count {
            let count = rowsPerStatement(remaining: items.count - start)
            var binder = try SQLiteRowBinder(db.cachedStatement(sql: sql[count]!), in: db)
            for item in items[start..<start + count] { try bindRow(&binder, item) }
            try binder.execute()
            start += count
        }
    }

    /// Binds a point's key, step, timestamp, value and NaN flag (NaN is stored as 0 with the flag set).
    private static func bind(_ point: MetricPoint, to binder: inout SQLiteRowBinder) throws {
        try binder.bind(point.key)
        try binder.bind(point.step)
        try binder.bind(point.timestamp)
        try binder.bind(point.value.isNaN ? 0 : point.value)
        try binder.bind(point.value.isNaN)
    }

    /// How many rows the next multi-row statement takes: 100, 10 or 1, so that three prepared shapes serve every
    /// batch size (each distinct text stays in the connection's statement cache).
    static func rowsPerStatement(remaining: Int) -> Int {
        remaining >= 100 ? 100 : remaining >= 10 ? 10 : 1
    }

    /// The metric insert for each `rowsPerStatement` size, written once (the statement cache is looked up by text).
    static let insertMetricsSQL = statements { rows in
        "INSERT OR IGNORE INTO run_metrics (run_id, key, step, timestamp, value, is_nan) VALUES " + rows
    }

    static let upsertLatestMetricsSQL = statements { rows in
        """
        INSERT INTO run_latest_metrics (run_key, key, step, timestamp, value, is_nan) VALUES \(rows)
        ON CONFLICT (run_key, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
        WHERE (excluded.step, excluded.timestamp) > (step, timestamp)
           OR (excluded.step = step AND excluded.timestamp = timestamp AND excluded.is_nan = 0 AND is_nan = 0 AND excluded.value > value)
        """
    }

    /// A statement per `rowsPerStatement` size, given its `(?, …), (?, …)` rows of six values.
    private static func statements(_ make: (String) -> String) -> [Int: String] {
        var statements: [Int: String] = [:]
        for count in [1, 10, 100] {
            statements[count] = make(Array(repeating: "(?, ?, ?, ?, ?, ?)", count: count).joined(separator: ", "))
        }
        return statements
    }

    public func deleteRunTag(runID: String, key: String) async throws {
        try await writer.write { db in
            try Self.requireRun(db, runID)
            try db.execute(sql: "DELETE FROM run_tags WHERE run_key = (SELECT key FROM runs WHERE id = ?) AND key = ?", arguments: [runID, key])
            if db.changesCount == 0 { throw TrackingError.notFound("No tag with name: \(key) in run with id \(runID)") }
        }
    }

    public func logInputs(runID: String, datasets: [JSONValue]) async throws {
        try await writer.write { db in
            try Self.requireRun(db, runID)
            for dataset in datasets {
                try db.execute(sql: "INSERT OR IGNORE INTO run_inputs (run_id, input) VALUES (?, ?)", arguments: [runID, dataset.jsonText])
            }
        }
    }

    public func metricHistory(runID: String, key: String, maxResults: Int, pageToken: String?) async throws -> TrackingPage<MetricPoint> {
        let offset = try PageToken.offset(pageToken)
        return try await trackingRead { db in
            try Self.requireRun(db, runID)
            let select = try db.cachedStatement(sql: """
                SELECT step, timestamp, value, is_nan FROM run_metrics WHERE run_id = ? AND key = ?
                ORDER BY step, timestamp, value LIMIT ? OFFSET ?
                """)
            var points: [MetricPoint] = []
            points.reserveCapacity(min(maxResults + 1, 25_001))
            // Read by position from a cursor, which reuses one row: this is most of a long history's cost.
            let rows = try Row.fetchCursor(select, arguments: [runID, key, maxResults + 1, offset])
            while let row = try rows.next() {
                let isNaN: Bool = row[3]
                points.append(MetricPoint(key: key, value: isNaN ? .nan : row[2], timestamp: row[1], step: row[0]))
            }
            let more = points.count > maxResults
            if more { points.removeLast() }
            return TrackingPage(items: points, nextPageToken: more ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func searchRuns(
        experimentIDs: [String], filter: SearchFilter, order: [SearchOrder], view: ViewType, maxResults: Int, pageToken: String?
    ) async throws -> TrackingPage<TrackedRun> {
        let experiments = experimentIDs.compactMap { Int64($0) }
        guard !experiments.isEmpty else { return TrackingPage(items: [], nextPageToken: nil) }
        let stages = view.stages.map(\.rawValue)
        let select = """
            SELECT key FROM runs WHERE experiment_id IN (\(databaseQuestionMarks(count: experiments.count)))
            AND lifecycle_stage IN (\(databaseQuestionMarks(count: stages.count)))
            """
        let (sql, arguments, offset) = try Self.searchSQL(
            select, leading: StatementArguments(experiments) + StatementArguments(stages), .runs, filter, order, maxResults, pageToken
        )
        return try await trackingRead { db in
            // Preparing the statement is a twentieth of a search, so the common small shapes stay prepared. Not every
            // shape: the cache keeps each distinct text for the connection's life, and lists make endlessly many.
            let hasList = filter.clauses.contains { $0.comparison == .in || $0.comparison == .notIn }
            let common = !hasList && experiments.count <= 4 && filter.clauses.count + order.count <= 4
            let statement = common ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            let keys = try Int64.fetchAll(statement, arguments: arguments)
            let runs = try Self.runs(db, keys: Array(keys.prefix(maxResults)))
            return TrackingPage(items: runs, nextPageToken: keys.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    /// `writer.write` for the tracking calls, which a training loop makes constantly and which each take a fraction
    /// of a millisecond of SQLite.
    ///
    /// - While no long write (a trace batch, retention, see `longWrite`) is in flight, the write runs on the calling
    ///   thread: GRDB's writer queue then holds at most other short writes, and taking it synchronously runs the block
    ///   right here instead of handing it to a queue thread and the answer back (two thread wake-ups: about a fifth of
    ///   a log-metric call's time in an A/B on two cores). While a long write is in flight the call waits for the queue
    ///   as usual, so a cooperative thread does not sit one out (only one that starts between the check and the write
    ///   can make it wait).
    /// - The transaction is begun and committed through cached statements: GRDB's own parses
    ///   `BEGIN IMMEDIATE TRANSACTION` and `COMMIT TRANSACTION` anew each time.
    func trackingWrite<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if longWritesInFlight.load(ordering: .relaxed) == 0 { return try Self.writeHere(writer, updates) }
        return try await writer.writeWithoutTransaction { db in try Self.inTransaction(db, updates) }
    }

    /// `writer.read` for the tracking calls, on the calling thread: a reader never waits for the writer (WAL), so
    /// this blocks no longer than the read itself, and saves the hop to a reader's queue and back. Its transaction
    /// (one snapshot for all its statements) is begun and ended through cached statements too.
    func trackingRead<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try Self.readHere(writer, value)
    }

    /// GRDB's synchronous write; a function of its own so the async overload is not chosen.
    private static func writeHere<T>(_ writer: any DatabaseWriter, _ updates: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in try inTransaction(db, updates) }
    }

    private static func readHere<T>(_ writer: any DatabaseWriter, _ value: (Database) throws -> T) throws -> T {
        try writer.unsafeRead { db in try inTransaction(db, begin: "BEGIN DEFERRED TRANSACTION", value) }
    }

    /// Runs `body` in a transaction begun and committed through cached statements.
    static func inTransaction<T>(
        _ db: Database, begin: String = "BEGIN IMMEDIATE TRANSACTION", _ body: (Database) throws -> T
    ) throws -> T {
        try db.cachedStatement(sql: begin).execute()
        let result: T
        do {
            result = try body(db)
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
        } catch {
            // As GRDB's inTransaction: roll back (harmless if SQLite already did) and throw the first error.
            try? db.rollback()
            throw error
        }
        return result
    }

    // MARK: - Reading rows

    static func experiment(_ db: Database, sql: String, _ arguments: StatementArguments) throws -> Experiment? {
        try Row.fetchOne(db, sql: sql, arguments: arguments).map { try experiment(db, row: $0) }
    }

    static func experiment(_ db: Database, row: Row) throws -> Experiment {
        let id: Int64 = row["id"]
        var tags: [String: String] = [:]
        for tag in try Row.fetchAll(db, sql: "SELECT key, value FROM experiment_tags WHERE experiment_id = ?", arguments: [id]) {
            tags[tag["key"]] = tag["value"]
        }
        return Experiment(
            id: String(id), name: row["name"], artifactLocation: row["artifact_location"],
            lifecycleStage: LifecycleStage(rawValue: row["lifecycle_stage"]) ?? .active,
            creationTime: row["creation_time"], lastUpdateTime: row["last_update_time"], tags: tags
        )
    }

    /// Runs with their params, tags and latest metrics, in the order of `ids`; ids not stored are left out.
    static func runs(_ db: Database, ids: [String]) throws -> [TrackedRun] {
        guard !ids.isEmpty else { return [] }
        let keys = try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT r.key FROM json_each(?) j JOIN runs r ON r.id = j.value ORDER BY j.key"),
            arguments: [JSONValue.array(ids.map(JSONValue.string)).jsonText]
        )
        return try runs(db, keys: keys)
    }

    /// Runs with their params, tags and latest metrics, in the order of their `keys`; keys not stored are left out.
    static func runs(_ db: Database, keys: [Int64]) throws -> [TrackedRun] {
        guard !keys.isEmpty else { return [] }
        // The keys go in as one JSON array, so each statement is prepared once per connection whatever the page
        // size. Each row names its run by its index in that array (json_each's key), which saves reading and
        // hashing run ids; columns are read by position from cursors, since a page of runs is thousands of values.
        let arguments: StatementArguments = ["[" + keys.map { String($0) }.joined(separator: ",") + "]"]
        func rows(_ sql: String) throws -> RowCursor { try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments) }
        var runs = [TrackedRun?](repeating: nil, count: keys.count)
        let infos = try rows("""
            SELECT j.key, r.id, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage
            FROM json_each(?) j JOIN runs r ON r.key = j.value
            """)
        while let row = try infos.next() {
            let experiment: Int64 = row[2]
            runs[row[0] as Int] = TrackedRun(info: RunInfo(
                id: row[1], experimentID: String(experiment), name: row[3], userID: row[4],
                status: RunStatus(rawValue: row[5]) ?? .running, startTime: row[6], endTime: row[7],
                artifactURI: row[8], lifecycleStage: LifecycleStage(rawValue: row[9]) ?? .active
            ))
        }
        let params = try rows("SELECT j.key, x.key, x.value FROM json_each(?) j JOIN run_params x ON x.run_key = j.value")
        while let row = try params.next() { runs[row[0] as Int]?.params[row[1]] = row[2] }
        let tags = try rows("SELECT j.key, x.key, x.value FROM json_each(?) j JOIN run_tags x ON x.run_key = j.value")
        while let row = try tags.next() { runs[row[0] as Int]?.tags[row[1]] = row[2] }
        // Most stores log no dataset inputs at all: one probe instead of looking up every run of the page.
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM run_inputs)")) == true {
            let inputs = try rows("""
                SELECT j.key, x.input FROM json_each(?) j JOIN runs r ON r.key = j.value JOIN run_inputs x ON x.run_id = r.id ORDER BY x.rowid
                """)
            while let row = try inputs.next() {
                if let input = JSONValue.parse(row[1] as String) { runs[row[0] as Int]?.datasetInputs.append(input) }
            }
        }
        let metrics = try rows("""
            SELECT j.key, x.key, x.step, x.timestamp, x.value, x.is_nan FROM json_each(?) j JOIN run_latest_metrics x ON x.run_key = j.value
            """)
        while let row = try metrics.next() {
            let key: String = row[1]
            let isNaN: Bool = row[5]
            runs[row[0] as Int]?.metrics[key] = MetricPoint(key: key, value: isNaN ? .nan : row[4], timestamp: row[3], step: row[2])
        }
        return runs.compactMap { $0 }
    }

    static func existingExperiment(_ db: Database, _ id: String) throws -> Int64 {
        guard let number = Int64(id), try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM experiments WHERE id = ?"), arguments: [number]) != nil else {
            throw TrackingError.notFound("No Experiment with id=\(id) exists")
        }
        return number
    }

    static func requireRun(_ db: Database, _ id: String) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM runs WHERE id = ?"), arguments: [id]) != nil else {
            throw TrackingError.notFound("Run '\(id)' not found")
        }
    }
}
