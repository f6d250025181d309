import Foundation
import Logging
import LoupeCore
import PostgresNIO
import ServiceLifecycle

/// The shared trace store: PostgreSQL through a PostgresNIO connection pool, for several Loupe instances.
public final class PostgresTraceStore: TraceStore, Service {
    /// The advisory lock `migrate()` holds, so that instances starting together migrate one at a time.
    static let migrationLockKey: Int64 = 0x4C6F_7570_654D_6967  // "LoupeMig"

    /// How long a query waits for a connection before failing. PostgresNIO alone would queue it for a
    /// minute (until its circuit breaker trips) while the server is unreachable.
    static let connectionWait: Duration = .seconds(10)

    private let client: PostgresClient
    let logger: Logger
    /// `HOST:PORT` (or the socket path), for errors; never the password.
    let endpoint: String
    private let runState = LockedValue(RunState.notStarted)

    private enum RunState: Sendable {
        case notStarted, running, ended
    }

    /// A store at `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (or `postgresql://`, optionally `?sslmode=require`).
    /// Nothing connects until `run()`.
    public convenience init(url: String, logger: Logger) throws {
        var configuration = try PostgresClient.Configuration(url: url)
        // Fail a connection attempt to an unreachable host in seconds rather than PostgresNIO's default 10.
        configuration.options.connectTimeout = .seconds(5)
        // The server's own guard against a session left inside a transaction (a client that vanished
        // mid-batch): it ends the session, and with it the locks and uncommitted rows it held.
        configuration.options.additionalStartupParameters.append(("idle_in_transaction_session_timeout", "30s"))
        self.init(configuration: configuration, logger: logger)
    }

    /// A store over a PostgresNIO client configuration, for settings a URL cannot carry.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        if let host = configuration.host {
            self.endpoint = host.contains(":") ? "[\(host)]:\(configuration.port ?? 5432)" : "\(host):\(configuration.port ?? 5432)"
        } else {
            self.endpoint = configuration.unixSocketPath ?? "PostgreSQL"
        }
    }

    /// Runs the connection pool; the store answers queries only while this runs, and cancelling it closes the pool.
    public func run() async throws {
        runState.withLock { $0 = .running }
        defer { runState.withLock { $0 = .ended } }
        await client.run()
    }

    public func migrate() async throws {
        try await withConnection("migrate the schema") { connection in
            try await self.transaction(on: connection) {
                try await self.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", on: connection)
                try await self.execute(
                    "CREATE TABLE IF NOT EXISTS loupe_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    on: connection
                )
                let status = Self.status(applied: try await self.appliedMigrations(on: connection))
                guard status.unknown.isEmpty else { throw SchemaError.newerThanBinary(unknown: status.unknown) }
                for migration in PostgresMigration.all where status.pending.contains(migration.name) {
                    for statement in migration.statements {
                        try await self.execute(PostgresQuery(unsafeSQL: statement), on: connection)
                    }
                    try await migration.fill?(self, connection)
                    // clock_timestamp, not now(): migrations applied together still sort in the order they ran.
                    try await self.execute(
                        "INSERT INTO loupe_migrations (name, applied_at) VALUES (\(migration.name), clock_timestamp())", on: connection
                    )
                    self.logger.info("applied store migration", metadata: ["migration": "\(migration.name)"])
                }
            }
        }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        try await withConnection("read the schema status") { connection in
            Self.status(applied: try await self.appliedMigrations(on: connection))
        }
    }

    public func insert(_ traces: [Trace]) async throws {
        guard !traces.isEmpty else { return }
        let parts = PostgresTraceInsert.parts(of: traces)
        // No transaction: each statement is atomic with its own rollups, so a batch cut short leaves
        // nothing half done, and the writer's retry adds only the traces that are still missing. Two
        // statements run at once, each on its own connection and rollup shard; each task also builds its
        // statement, so the two are encoded in parallel too.
        for pairStart in stride(from: 0, to: parts.count, by: 2) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for part in parts[pairStart..<min(pairStart + 2, parts.count)] {
                    group.addTask {
                        try await self.withConnection("insert \(traces.count) traces") { connection in
                            try await self.insertNew(part.traces, shard: part.shard, on: connection)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Inserts the traces that are not stored yet. The statement assumes all are new; when one is not, it fails
    /// whole, and this asks which are stored and inserts the others.
    private func insertNew(_ traces: ArraySlice<Trace>, shard: Int16, on connection: PostgresConnection) async throws {
        var pending = traces
        for attempt in 1...Self.insertAttempts {
            let statement = PostgresTraceInsert.query(pending, shard: shard)
            do {
                if let prepared = PreparedTraceInsert(statement) {
                    _ = try await connection.execute(prepared, logger: logger)
                } else {
                    try await execute(statement, on: connection)
                }
                return
            } catch let error as PSQLError where error.serverInfo?[.constraintName] == "traces_pkey" && attempt < Self.insertAttempts {
                // Another statement may store one of them meanwhile (two instances replaying the same batch): then
                // this one fails again and asks again.
                let ids = pending.map { PostgresTraceInsert.text($0.id) }
                let stored = Set(try await connection.query("SELECT id FROM traces WHERE id = ANY(\(ids))", logger: logger)
                    .collect().map { try $0.decode(String.self) })
                pending = pending.filter { !stored.contains(PostgresTraceInsert.text($0.id)) }
                if pending.isEmpty { return }
            }
        }
    }

    /// Tries at inserting one statement's traces before its unique violation is reported.
    static let insertAttempts = 4

    public func trace(id: String) async throws -> Trace? {
        let query: PostgresQuery = "SELECT \(unescaped: Trace.postgresColumns) FROM traces WHERE id = \(id)"
        return try await withConnection("read trace \(id)") { connection in
            try await connection.query(query, logger: self.logger).collect().first.map(Trace.init(postgresRow:))
        }
    }

    public func traces(matching query: TraceQuery) async throws -> TracePage {
        var builder = PostgresQueryBuilder()
        var conditions: [String] = []
        if let model = query.model { conditions.append("model = \(builder.bind(model))") }
        if let provider = query.provider { conditions.append("provider = \(builder.bind(provider))") }
        if let user = query.user { conditions.append("user_id = \(builder.bind(user))") }
        if let session = query.sessionID { conditions.append("session_id = \(builder.bind(session))") }
        // Served by the GIN index, which holds only tagged calls: the second term repeats its predicate.
        if let tag = query.tag { conditions.append("tags @> \(builder.bind([tag]))::text[] AND tags <> '{}'") }
        // The v14 indexes cover only traces that have a variant or a parent; repeating their predicate lets the planner use them.
        if let variant = query.variant { conditions.append("variant = \(builder.bind(variant)) AND variant IS NOT NULL") }
        if let parent = query.parentTraceID { conditions.append("parent_trace_id = \(builder.bind(parent)) AND parent_trace_id IS NOT NULL") }
        if let cacheHit = query.cacheHit { conditions.append("cache_hit = \(builder.bind(cacheHit))") }
        // Only unsuccessful calls are indexed by status; repeating an index's predicate lets the planner use it.
        switch query.status {
        case .status(let status):
            conditions.append("status = \(builder.bind(status.rawValue))")
            if status != .ok { conditions.append("status <> 'ok'") }
        case .code(let code):
            conditions.append("status_code = \(builder.bind(code))")
            if !(200...299).contains(code) { conditions.append("status_code NOT BETWEEN 200 AND 299") }
        case .codeClass(let digit):
            conditions.append("status_code BETWEEN \(builder.bind(digit * 100)) AND \(builder.bind(digit * 100 + 99))")
            if digit != 2 { conditions.append("status_code NOT BETWEEN 200 AND 299") }
        case nil: break
        }
        if let since = query.since { conditions.append("created_at >= \(builder.bind(since.unixMillis))") }
        if let until = query.until { conditions.append("created_at < \(builder.bind(until.unixMillis))") }
        if let cursor = query.cursor {
            conditions.append("(created_at, id) < (\(builder.bind(cursor.createdAtMillis)), \(builder.bind(cursor.id)))")
        }
        let limit = min(max(query.limit, 1), TraceQuery.maxLimit)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limitPlaceholder = builder.bind(limit + 1)
        builder.append("SELECT \(Trace.postgresColumns) FROM traces \(whereClause) ORDER BY created_at DESC, id DESC LIMIT \(limitPlaceholder)")
        let finalQuery = builder.query
        let traces = try await withConnection("list traces") { connection in
            try await connection.query(finalQuery, logger: self.logger).collect().map(Trace.init(postgresRow:))
        }
        return TracePage(fetched: traces, limit: limit)
    }

    public func count() async throws -> Int {
        try await withConnection("count traces") { connection in
            try await self.firstInt("SELECT count(*) FROM traces", on: connection)
        }
    }

    public func deleteTraces(createdBefore date: Date) async throws -> Int {
        let cutoff = date.unixMillis
        let cutoffDay = CostRollup.day(ofMillis: cutoff)
        return try await withConnection("delete traces older than the retention period") { connection in
            try await self.transaction(on: connection) {
                let deleted = try await self.firstInt(
                    "WITH deleted AS (DELETE FROM traces WHERE created_at < \(cutoff) RETURNING 1) SELECT count(*) FROM deleted",
                    on: connection
                )
                // OpenTelemetry spans received on /v1/traces age out with the traces.
                try await self.execute("DELETE FROM spans WHERE start_unix_nano < \(cutoff * 1_000_000)", on: connection)
                try await self.execute("DELETE FROM cost_rollups WHERE day < \(cutoffDay)", on: connection)
                // The cutoff's own day lost only part of its traces: count what is left of it again.
                if cutoff != cutoffDay * CostRollup.millisPerDay {
                    try await self.rebuildCostRollups(on: connection, days: cutoffDay...cutoffDay)
                }
                return deleted
            }
        }
    }

    public func ping() async throws {
        _ = try await withConnection("answer a ping") { connection in try await self.firstInt("SELECT 1", on: connection) }
    }

    // MARK: - Helpers


    static func status(applied: [String]) -> SchemaStatus {
        let appliedSet = Set(applied)
        let known = PostgresMigration.all.map(\.name)
        let knownSet = Set(known)
        return SchemaStatus(
            applied: applied,
            pending: known.filter { !appliedSet.contains($0) },
            unknown: applied.filter { !knownSet.contains($0) }
        )
    }

    private func appliedMigrations(on connection: PostgresConnection) async throws -> [String] {
        let ledger = try await connection.query("SELECT to_regclass('loupe_migrations') IS NOT NULL", logger: logger).collect()
        guard try ledger.first?.decode(Bool.self) == true else { return [] }
        return try await connection.query("SELECT name FROM loupe_migrations ORDER BY applied_at, name", logger: logger)
            .collect().map { try $0.decode(String.self) }
    }

    /// Runs `body` on a pooled connection, failing with a `PostgresStoreError` that names `operation` when
    /// no connection comes within `connectionWait` or PostgreSQL reports an error.
    func withConnection<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                let leased = LockedValue(false)
                group.addTask {
                    // A query made before run() began would only wait in the pool's queue, with a warning.
                    while self.runState.current == .notStarted { try await Task.sleep(for: .milliseconds(10)) }
                    return try await self.client.withConnection { connection in
                        leased.withLock { $0 = true }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.connectionWait)
                    guard leased.current else { throw self.noConnectionError(operation) }
                    return nil  // the query runs: let it finish, however long it takes
                }
                while let result = try await group.next() {
                    if let result {
                        group.cancelAll()
                        return result
                    }
                }
                throw CancellationError()
            }
        } catch {
            throw PostgresStoreError.wrapping(error, operation: operation, endpoint: endpoint)
        }
    }

    private func noConnectionError(_ operation: String) -> PostgresStoreError {
        let reason = switch runState.current {
        case .notStarted: "the store's run() has not begun; run the store in the ServiceGroup before querying it"
        case .running: "no connection within \(Self.connectionWait); check that PostgreSQL is running there and accepts connections"
        case .ended: "the store is not running: its run() has ended"
        }
        return PostgresStoreError(operation: operation, endpoint: endpoint, reason: reason)
    }

    /// Runs `body` between BEGIN and COMMIT, rolling back and rethrowing its own error when it fails.
    func transaction<Result>(on connection: PostgresConnection, _ body: () async throws -> Result) async throws -> Result {
        try await execute("BEGIN", on: connection)
        do {
            let result = try await body()
            try await execute("COMMIT", on: connection)
            return result
        } catch {
            // In a task of its own, so that it runs even when this task was cancelled (the trace writer's
            // write timeout): a connection must never go back to the pool inside a transaction, where it
            // would keep its locks and uncommitted rows from every other writer.
            // If even that fails, the connection is gone, and the server has ended the transaction itself
            // (or will, after idle_in_transaction_session_timeout).
            let logger = logger
            await Task { _ = try? await connection.query("ROLLBACK", logger: logger).collect() }.value
            throw error
        }
    }

    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    func firstInt(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        try await connection.query(query, logger: logger).collect().first?.decode(Int.self) ?? 0
    }
}
