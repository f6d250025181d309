import Foundation
import GRDB
import Logging
import LoupeCore
import LoupePostgres
import LoupeSQLite
import PostgresNIO
import Testing

/// A `TraceStore` backend the behavioural suite runs against, each test on a fresh, empty store.
///
/// PostgreSQL needs `LOUPE_TEST_POSTGRES_URL` (`source .ci/postgres` starts a server and sets it); each test
/// creates its own database there and drops it afterwards, so tests run in parallel. Without the URL the
/// PostgreSQL cases are skipped, unless `LOUPE_REQUIRE_POSTGRES=1` (as in CI), which makes them fail instead.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }

    /// A fresh store, and a way to write to its migration ledger behind its back.
    struct Fixture {
        let store: any TraceStore
        /// Records a migration this binary does not know, as a newer Loupe would have.
        let recordForeignMigration: @Sendable (String) async throws -> Void
        /// Runs fixed SQL on the store's database behind its back, as an operator's mistake would.
        let execute: @Sendable (String) async throws -> Void
        /// Runs a fixed `SELECT count(*) …` on the store's database behind its back.
        let count: @Sendable (String) async throws -> Int
    }

    static let postgresURL = ProcessInfo.processInfo.environment["LOUPE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresRequired = ProcessInfo.processInfo.environment["LOUPE_REQUIRE_POSTGRES"] == "1"

    /// The backends the suite runs against: PostgreSQL when a server is named, or when it is required (and then
    /// fails without one). Swift Testing has no per-argument skip that its console shows as such (`Test.cancel()`
    /// prints "passed"), so the PostgreSQL cases are left out instead, and `postgresServerAnswers` reports the skip.
    static let tested: [StoreBackend] = postgresURL != nil || postgresRequired ? allCases : [.sqlite]

    /// Runs `body` with a fresh, migrated store.
    func withStore(_ body: (any TraceStore) async throws -> Void) async throws {
        try await withFixture(migrated: true) { fixture in try await body(fixture.store) }
    }

    /// Runs `body` with a fresh store, migrated only when `migrated` is true, and disposes of the store afterwards.
    func withFixture(migrated: Bool, _ body: (Fixture) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let database = try DatabaseQueue()
            let store = SQLiteTraceStore(database: database)
            if migrated { try await store.migrate() }
            try await body(Fixture(
                store: store,
                recordForeignMigration: { name in
                    try await database.write { db in
                        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [name])
                    }
                },
                execute: { sql in try await database.write { db in try db.execute(sql: sql) } },
                count: { sql in try await database.read { db in try Int.fetchOne(db, sql: sql) ?? 0 } }
            ))
        case .postgres:
            guard let url = Self.postgresURL else {
                Issue.record("LOUPE_TEST_POSTGRES_URL is not set (and LOUPE_REQUIRE_POSTGRES=1 requires it): `source .ci/postgres` to start a server")
                return
            }
            try await Self.withPostgresDatabase(serverURL: url) { databaseURL in
                try await Self.withPostgresFixture(url: databaseURL, migrated: migrated, body)
            }
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "loupe-store-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates a database named `loupe_test_<random>` on the server, runs `body` with its URL, then drops it.
    private static func withPostgresDatabase(serverURL: String, _ body: (String) async throws -> Void) async throws {
        let admin = PostgresClient(configuration: try PostgresClient.Configuration(url: serverURL))
        let name = "loupe_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var components = try #require(URLComponents(string: serverURL))
        components.path = "/" + name
        let databaseURL = try #require(components.string)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            // The name is generated above, not supplied by anyone, and identifiers cannot be bound.
            try await admin.query("CREATE DATABASE \(unescaped: name)")
            let drop: PostgresQuery = "DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)"
            do {
                try await body(databaseURL)
            } catch {
                _ = try? await admin.query(drop)
                throw error
            }
            try await admin.query(drop)
        }
    }

    /// Runs a store on the database at `url` for the duration of `body`, as the server's ServiceGroup would.
    private static func withPostgresFixture(url: String, migrated: Bool, _ body: (Fixture) async throws -> Void) async throws {
        let store = try PostgresTraceStore(url: url, logger: logger)
        let direct = PostgresClient(configuration: try PostgresClient.Configuration(url: url))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            group.addTask { await direct.run() }
            defer { group.cancelAll() }
            if migrated { try await store.migrate() }
            try await body(Fixture(
                store: store,
                recordForeignMigration: { name in try await direct.query("INSERT INTO loupe_migrations (name) VALUES (\(name))") },
                execute: { sql in try await direct.query(PostgresQuery(unsafeSQL: sql)) },
                count: { sql in try await direct.query(PostgresQuery(unsafeSQL: sql)).collect().first?.decode(Int.self) ?? 0 }
            ))
        }
    }
}
