import Foundation
import GRDB
import LoupeCore
import Synchronization

/// The embedded trace store: one SQLite file in WAL mode, through GRDB.
public final class SQLiteTraceStore: TraceStore {
    let writer: any DatabaseWriter
    /// The service that checkpoints a file store's write-ahead log; run it while the store is in use.
    public let checkpointer: SQLiteCheckpointer?
    /// The log length, in pages, at which a commit checkpoints itself (the checkpointer normally keeps it far shorter).
    static let fallbackCheckpointPages = 8_000
    /// Writes that can hold the writer for long (trace and span batches, retention, rebuilding the rollups, an eval's
    /// cases) handed to it and not yet done: while there are none, a tracking call's short write takes the writer on
    /// its own thread (see `trackingWrite`).
    let longWritesInFlight = Atomic<Int>(0)

    /// Opens (creating if needed) the database at `path`, making its folder too.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // NORMAL is durable across application crashes in WAL mode; only power loss can drop
            // the last commits, and the trace writer batches anyway.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoints are the `checkpointer`'s job, off the write path; a commit checkpoints only if the
            // log has grown this long anyway (a long log slows every read, see PERFORMANCE.md).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.fallbackCheckpointPages)")
            // Read pages through a memory map instead of a read() call each (run searches read many).
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        configuration.busyMode = .timeout(5)
        self.writer = try DatabasePool(path: path, configuration: configuration)
        self.checkpointer = SQLiteCheckpointer(path: path)
    }

    /// Wraps an existing GRDB database, such as an in-memory queue for unit tests.
    public init(database: any DatabaseWriter) {
        self.writer = database
        self.checkpointer = nil
    }

    public func migrate() async throws {
        let status = try await schemaStatus()
        guard status.unknown.isEmpty else { throw SchemaError.newerThanBinary(unknown: status.unknown) }
        // GRDB migrates synchronously, and on a pool it first waits for every reader. On one of Swift's
        // cooperative threads, or a GCD worker (two each on a two-core machine), that wait starves the
        // very work it waits for when several stores migrate at once, so it gets a thread of its own.
        let writer = writer
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try Self.migrator.migrate(writer) }) }.start()
        }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        let migrator = Self.migrator
        return try await writer.read { db in
            // GRDB keeps its ledger in grdb_migrations; every identifier it holds is in the store.
            let applied = try db.tableExists("grdb_migrations")
                ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : []
            let appliedSet = Set(applied)
            let known = Set(migrator.migrations)
            return SchemaStatus(
                applied: applied,
                pending: migrator.migrations.filter { !appliedSet.contains($0) },
                unknown: applied.filter { !known.contains($0) }
            )
        }
    }

    public func deleteTraces(createdBefore date: Date) async throws -> Int {
        let cutoff = date.unixMillis
        return try await longWrite { db in
            // trace_tags rows go with their traces (ON DELETE CASCADE needs foreign keys, which GRDB enables).
            try db.execute(sql: "DELETE FROM traces WHERE created_at < ?", arguments: [cutoff])
            let deleted = db.changesCount
            // OpenTelemetry spans received on /v1/traces age out with the traces.
            try db.execute(sql: "DELETE FROM spans WHERE start_unix_nano < ?", arguments: [cutoff * 1_000_000])
            let cutoffDay = CostRollup.day(ofMillis: cutoff)
            try db.execute(sql: "DELETE FROM cost_rollups WHERE day < ?", arguments: [cutoffDay])
            // The cutoff's own day lost only part of its traces: count what is left of it again.
            if cutoff != cutoffDay * CostRollup.millisPerDay { try Self.rebuildCostRollups(db, days: cutoffDay...cutoffDay) }
            return deleted
        }
    }

    /// `writer.write` for a write that can hold the writer for long, counted in `longWritesInFlight` while it waits and runs.
    ///
    /// It runs in the idle scheduling class, commit included (copying the batch into the log is much of its time), so
    /// that it never keeps a call waiting for a core; see `WriterScheduling`.
    @discardableResult
    func longWrite<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        longWritesInFlight.add(1, ordering: .relaxed)
        defer { longWritesInFlight.subtract(1, ordering: .relaxed) }
        return try await writer.writeWithoutTransaction { db in
            try WriterScheduling.idle(promotedAfter: Self.idleLimit) { try Self.inTransaction(db, updates) }
        }
    }

    /// How long a long write runs in the idle class before it competes with the event loops for a core: long enough
    /// for a batch of a few hundred traces on a free core, short enough that under full load a trace is stored in time.
    static let idleLimit = Duration.milliseconds(10)

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-traces") { db in
            try db.execute(sql: """
                CREATE TABLE traces (
                    id TEXT PRIMARY KEY NOT NULL,
                    created_at INTEGER NOT NULL,          -- Unix milliseconds
                    endpoint TEXT NOT NULL,
                    provider TEXT,
                    model TEXT,
                    upstream_model TEXT,
                    stream INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    status_code INTEGER NOT NULL,
                    error TEXT,
                    latency_ms REAL NOT NULL,
                    ttft_ms REAL,
                    input_tokens INTEGER,
                    output_tokens INTEGER,
                    cached_input_tokens INTEGER,
                    reasoning_tokens INTEGER,
                    cost_picos INTEGER,                   -- USD × 10^12; NULL when the price is unknown
                    user TEXT,
                    session_id TEXT,
                    tags TEXT NOT NULL,                   -- JSON array, also indexed in trace_tags
                    metadata TEXT,                        -- JSON object
                    request TEXT,
                    response TEXT,
                    request_truncated INTEGER NOT NULL,
                    response_truncated INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX traces_created ON traces(created_at, id);
                CREATE INDEX traces_model ON traces(model, created_at);
                CREATE INDEX traces_provider ON traces(provider, created_at);
                CREATE INDEX traces_user ON traces(user, created_at);
                CREATE INDEX traces_session ON traces(session_id, created_at);
                CREATE TABLE trace_tags (
                    trace_id TEXT NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
                    tag TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (tag, trace_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX trace_tags_trace ON trace_tags(trace_id);
                """)
        }
        // Filled from the traces by v5, the newest migration that changes what rollups count: a fill runs
        // today's code, which reads columns that later migrations add.
        migrator.registerMigration("v2-cost-rollups") { db in try db.execute(sql: createCostRollups) }
        // Status filters look for the few calls that did not succeed, so only those are indexed;
        // queries repeat the predicate so that SQLite can use the indexes.
        migrator.registerMigration("v3-unsuccessful-indexes") { db in
            try db.execute(sql: """
                CREATE INDEX traces_unsuccessful ON traces(status, created_at, id) WHERE status <> 'ok';
                CREATE INDEX traces_unsuccessful_code ON traces(status_code, created_at, id) WHERE status_code NOT BETWEEN 200 AND 299;
                """)
        }
        migrator.registerMigration("v4-prompts") { db in try db.execute(sql: createPrompts) }
        // Which registry prompt produced a call; the rollups gain the prompt dimension for old days too.
        migrator.registerMigration("v5-trace-prompts") { db in
            try db.execute(sql: """
                ALTER TABLE traces ADD COLUMN prompt_name TEXT;
                ALTER TABLE traces ADD COLUMN prompt_version INTEGER;
                CREATE INDEX traces_prompt ON traces(prompt_name, created_at) WHERE prompt_name IS NOT NULL;
                """)
            try rebuildCostRollups(db, days: nil)
        }
        // What guardrail checks found (a JSON array); the few calls with any are indexed for the report.
        migrator.registerMigration("v6-trace-guardrails") { db in
            try db.execute(sql: """
                ALTER TABLE traces ADD COLUMN guardrails TEXT;
                CREATE INDEX traces_guardrails ON traces(created_at) WHERE guardrails IS NOT NULL;
                """)
        }
        migrator.registerMigration("v7-tracking") { db in try db.execute(sql: createTracking) }
        migrator.registerMigration("v8-model-registry") { db in try db.execute(sql: createModelRegistry) }
        migrator.registerMigration("v9-logged-models") { db in try db.execute(sql: createLoggedModels) }
        // The datasets a run used, each MLflow DatasetInput kept as its JSON; the key makes a repeat a no-op.
        migrator.registerMigration("v10-run-inputs") { db in
            try db.execute(sql: "CREATE TABLE run_inputs (run_id TEXT NOT NULL REFERENCES runs(id), input TEXT NOT NULL, UNIQUE (run_id, input))")
        }
        migrator.registerMigration("v11-run-search-order") { db in
            try db.execute(sql: Self.runSearchOrderIndex)
            try db.execute(sql: Self.clusterRunValues)
        }
        migrator.registerMigration("v12-eval-cases") { db in
            try db.execute(sql: Self.createEvalCases)
        }
        migrator.registerMigration("v13-keys") { db in
            try db.execute(sql: Self.createKeys)
        }
        migrator.registerMigration("v14-trace-routing") { db in
            try db.execute(sql: Self.addTraceRouting)
        }
        migrator.registerMigration("v15-rate-usage") { db in
            try db.execute(sql: Self.createRateUsage)
        }
        // OpenTelemetry spans received on /v1/traces (see +Spans).
        migrator.registerMigration("v16-otel-spans") { db in
            try db.execute(sql: Self.createSpans)
        }
        migrator.registerMigration("v17-run-keys") { db in
            try db.execute(sql: Self.keyRunValues)
        }
        // PostgreSQL's rollup copies per writer; SQLite has one writer, so nothing changes here.
        migrator.registerMigration("v18-rollup-shards") { _ in }
        // Most calls carry no session, and many no user: index only those that do, which a filter by either
        // implies (`x = ?` means `x IS NOT NULL`), and every other insert writes one or two b-trees fewer.
        migrator.registerMigration("v19-sparse-trace-indexes") { db in
            try db.execute(sql: """
                DROP INDEX traces_session;
                CREATE INDEX traces_session ON traces(session_id, created_at) WHERE session_id IS NOT NULL;
                DROP INDEX traces_user;
                CREATE INDEX traces_user ON traces(user, created_at) WHERE user IS NOT NULL;
                """)
        }
        // PostgreSQL's compression of the rollup histograms; SQLite stores them as they are.
        migrator.registerMigration("v20-rollup-lz4") { _ in }
        // PostgreSQL's histograms become dense arrays for its upserts; SQLite adds its encoded histograms in Swift.
        migrator.registerMigration("v21-dense-latency") { _ in }
        return migrator
    }

    public func insert(_ traces: [Trace]) async throws {
        guard !traces.isEmpty else { return }
        // The batch's rollup is counted on another core while SQLite writes its rows (by perf, a tenth of the writer's time
        // when it was counted between them); ids already stored are rare, and then only the new traces count.
        let counted = BackgroundWork { WriterScheduling.idle(promotedAfter: Self.idleLimit) { Self.costRollup(of: traces) } }
        try await longWrite { db in
            let insertOne = try db.cachedStatement(sql: Self.insertOneTraceSQL)
            let insertMany = try db.cachedStatement(sql: Self.insertManyTracesSQL)
            let insertTag = try db.cachedStatement(sql: "INSERT OR IGNORE INTO trace_tags (trace_id, tag, created_at) VALUES (?, ?, ?)")
            // SQLite gives each new row a rowid above the largest (short of 2^63, which no store reaches), so a row
            // with a larger one than this was stored by this batch: that tells new traces from old ones below.
            let lastRowID = try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM traces") ?? 0
            let rowID = try db.cachedStatement(sql: "SELECT rowid FROM traces WHERE id = ?")
            var repeated: Set<Int> = []
            // Through the buffer, so that each trace is bound in place rather than copied (see costRollup).
            try traces.withUnsafeBufferPointer { traces in try SQLiteTextBuffer.withBuffer(unbinding: insertOne, insertMany, insertTag) { text in
                func insertTags(of trace: Trace) throws {
                    for tag in trace.tags {
                        var tagRow = try SQLiteRowBinder(insertTag, in: db, text: text)
                        try tagRow.bind(trace.id)
                        try tagRow.bind(tag.withoutNUL)
                        try tagRow.bind(trace.createdAt.unixMillis)
                        try tagRow.execute()
                    }
                }
                func insertOneByOne(_ indices: Range<Int>) throws {
                    for index in indices {
                        var row = try SQLiteRowBinder(insertOne, in: db, text: text)
                        try Self.bind(traces[index], to: &row)
                        try row.execute()
                        // A repeated id is ignored above; its tags are already stored too.
                        guard db.changesCount > 0 else {
                            repeated.insert(index)
                            continue
                        }
                        try insertTags(of: traces[index])
                    }
                }
                var next = 0
                while traces.count - next >= Self.tracesPerInsert {
                    let indices = next..<next + Self.tracesPerInsert
                    next = indices.upperBound
                    var rows = try SQLiteRowBinder(insertMany, in: db, text: text)
                    for index in indices { try Self.bind(traces[index], to: &rows) }
                    try rows.execute()
                    WriterScheduling.letOthersRun()
                    if db.changesCount < indices.count {
                        // Some of these ids were stored already (a replayed spool, a retried batch), or came twice in
                        // the batch: a trace is new if its id is first in the batch and its row is newer than the batch.
                        var seen = Set(traces[..<indices.lowerBound].indices.lazy.filter { !repeated.contains($0) }.map { traces[$0].id })
                        for index in indices {
                            let first = seen.insert(traces[index].id).inserted
                            let row = try Int64.fetchOne(rowID, arguments: [traces[index].id]) ?? 0
                            if !first || row <= lastRowID { repeated.insert(index) }
                        }
                    }
                    for index in indices where !repeated.contains(index) { try insertTags(of: traces[index]) }
                }
                try insertOneByOne(next..<traces.count)
            } }
            let rollup = repeated.isEmpty
                ? counted.value()
                : Self.costRollup(of: traces, skipping: repeated)
            try Self.addToCostRollups(rollup, db)
        }
    }

    /// Traces per multi-row INSERT: a statement's fixed work (a cursor on the table and on each index, its reset) is
    /// then shared by this many rows. 36 columns × 32 rows stay far below SQLite's limit on parameters.
    static let tracesPerInsert = 32
    static let insertManyTracesSQL = insertTracesSQL(rows: tracesPerInsert)
    static let insertOneTraceSQL = insertTracesSQL(rows: 1)

    static func insertTracesSQL(rows: Int) -> String {
        let row = "(" + repeatElement("?", count: 36).joined(separator: ", ") + ")"
        return """
            INSERT OR IGNORE INTO traces (
                id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error,
                latency_ms, ttft_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_picos,
                user, session_id, tags, metadata, request, response, request_truncated, response_truncated,
                prompt_name, prompt_version, guardrails, cache_write_input_tokens, key_id, key_name,
                variant, parent_trace_id, cache_hit, cost_saved_picos, attempts
            ) VALUES \(repeatElement(row, count: rows).joined(separator: ", "))
            """
    }

    /// Binds the 36 columns of `trace`, in `insertTracesSQL`'s order, after whatever `row` holds already.
    static func bind(_ trace: Trace, to row: inout SQLiteRowBinder) throws {
        try row.bind(trace.id)
        try row.bind(trace.createdAt.unixMillis)
        try row.bind(trace.endpoint)
        try row.bind(trace.provider)
        try row.bind(trace.model)
        try row.bind(trace.upstreamModel)
        try row.bind(trace.stream)
        try row.bind(trace.status.rawValue)
        try row.bind(trace.statusCode)
        try row.bind(trace.error?.withoutNUL)
        try row.bind(trace.latencyMs)
        try row.bind(trace.ttftMs)
        try row.bind(trace.usage.inputTokens)
        try row.bind(trace.usage.outputTokens)
        try row.bind(trace.usage.cachedInputTokens)
        try row.bind(trace.usage.reasoningTokens)
        try row.bind(trace.cost?.picos)
        try row.bind(trace.user?.withoutNUL)
        try row.bind(trace.sessionID?.withoutNUL)
        try row.bind(jsonArray(trace.tags.map(\.withoutNUL)))
        try row.bind(trace.metadata.map { JSONValue.object($0).jsonText })
        try row.bind(trace.request?.withoutNUL)
        try row.bind(trace.response?.withoutNUL)
        try row.bind(trace.requestTruncated)
        try row.bind(trace.responseTruncated)
        try row.bind(trace.promptName?.withoutNUL)
        try row.bind(trace.promptVersion)
        try row.bind(GuardrailResult.storedJSON(trace.guardrails)?.withoutNUL)
        try row.bind(trace.usage.cacheWriteInputTokens)
        try row.bind(trace.keyID?.withoutNUL)
        try row.bind(trace.keyName?.withoutNUL)
        try row.bind(trace.variant?.withoutNUL)
        try row.bind(trace.parentTraceID?.withoutNUL)
        try row.bind(trace.cacheHit)
        try row.bind(trace.costSaved?.picos)
        try row.bind(TraceAttempt.storedJSON(trace.attempts)?.withoutNUL)
    }

    /// The rollup totals of `traces`, but those at the indices in `skipping`, as an insert adds them.
    static func costRollup(of traces: [Trace], skipping: Set<Int> = []) -> CostRollup {
        var rollup = CostRollup()
        // Through the buffer, so that each trace is read in place rather than copied (about 20 references retained
        // and released).
        traces.withUnsafeBufferPointer { traces in
            for index in traces.indices where !skipping.contains(index) {
                rollup.add(CostFact(traces[index]))
                if index % 64 == 63 { WriterScheduling.letOthersRun() }
            }
        }
        return rollup
    }

    public func trace(id: String) async throws -> Trace? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM traces WHERE id = ?", arguments: [id]).map(Self.trace(from:))
        }
    }

    public func traces(matching query: TraceQuery) async throws -> TracePage {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
            conditions.append(condition)
            arguments += StatementArguments(values)
        }
        if let model = query.model { add("model = ?", [model]) }
        if let provider = query.provider { add("provider = ?", [provider]) }
        if let user = query.user { add("user = ?", [user]) }
        if let session = query.sessionID { add("session_id = ?", [session]) }
        if let tag = query.tag { add("id IN (SELECT trace_id FROM trace_tags WHERE tag = ?)", [tag]) }
        // The v14 indexes cover only traces that have a variant or a parent; repeating their predicate lets SQLite use them.
        if let variant = query.variant { add("variant = ? AND variant IS NOT NULL", [variant]) }
        if let parent = query.parentTraceID { add("parent_trace_id = ? AND parent_trace_id IS NOT NULL", [parent]) }
        if let cacheHit = query.cacheHit { add("cache_hit = ?", [cacheHit]) }
        // Only unsuccessful calls are indexed by status; repeating an index's predicate lets SQLite use it.
        switch query.status {
        case .status(let status):
            add("status = ?", [status.rawValue])
            if status != .ok { conditions.append("status <> 'ok'") }
        case .code(let code):
            add("status_code = ?", [code])
            if !(200...299).contains(code) { conditions.append("status_code NOT BETWEEN 200 AND 299") }
        case .codeClass(let digit):
            add("status_code BETWEEN ? AND ?", [digit * 100, digit * 100 + 99])
            if digit != 2 { conditions.append("status_code NOT BETWEEN 200 AND 299") }
        case nil: break
        }
        if let since = query.since { add("created_at >= ?", [since.unixMillis]) }
        if let until = query.until { add("created_at < ?", [until.unixMillis]) }
        if let cursor = query.cursor {
            add("(created_at < ? OR (created_at = ? AND id < ?))", [cursor.createdAtMillis, cursor.createdAtMillis, cursor.id])
        }
        let limit = min(max(query.limit, 1), TraceQuery.maxLimit)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM traces \(whereClause) ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
        let finalArguments = arguments
        return try await writer.read { db in
            TracePage(fetched: try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.trace(from:)), limit: limit)
        }
    }

    public func count() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM traces") ?? 0 }
    }

    public func ping() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Runs `PRAGMA integrity_check`; "ok" when the file is sound.
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }


    static func jsonArray(_ strings: [String]) -> String {
        strings.isEmpty ? "[]" : JSONValue.array(strings.map(JSONValue.string)).jsonText  // most calls carry no tags
    }

    static func strings(fromJSON text: String) -> [String] {
        guard case .array(let values)? = JSONValue.parse(text) else { return [] }
        return values.compactMap(\.stringValue)
    }

    static func trace(from row: Row) -> Trace {
        var metadata: [String: JSONValue]?
        if let text: String = row["metadata"], case .object(let members)? = JSONValue.parse(text) { metadata = members }
        let millis: Int64 = row["created_at"]
        let picos: Int64? = row["cost_picos"]
        return Trace(
            id: row["id"],
            createdAt: Date(timeIntervalSince1970: Double(millis) / 1000),
            endpoint: row["endpoint"],
            provider: row["provider"],
            model: row["model"],
            upstreamModel: row["upstream_model"],
            stream: row["stream"],
            status: TraceStatus(rawValue: row["status"]) ?? .error,
            statusCode: row["status_code"],
            error: row["error"],
            latencyMs: row["latency_ms"],
            ttftMs: row["ttft_ms"],
            usage: TokenUsage(
                inputTokens: row["input_tokens"], outputTokens: row["output_tokens"],
                cachedInputTokens: row["cached_input_tokens"], reasoningTokens: row["reasoning_tokens"],
                cacheWriteInputTokens: row["cache_write_input_tokens"]
            ),
            cost: picos.map(USD.init(picos:)),
            user: row["user"],
            sessionID: row["session_id"],
            tags: strings(fromJSON: row["tags"]),
            metadata: metadata,
            request: row["request"],
            response: row["response"],
            requestTruncated: row["request_truncated"],
            responseTruncated: row["response_truncated"],
            promptName: row["prompt_name"],
            promptVersion: row["prompt_version"],
            guardrails: GuardrailResult.fromStoredJSON(row["guardrails"]),
            keyID: row["key_id"],
            keyName: row["key_name"],
            variant: row["variant"],
            parentTraceID: row["parent_trace_id"],
            cacheHit: row["cache_hit"] ?? false,
            costSaved: (row["cost_saved_picos"] as Int64?).map(USD.init(picos:)),
            attempts: TraceAttempt.fromStoredJSON(row["attempts"])
        )
    }
}
