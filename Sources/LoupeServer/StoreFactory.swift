import Foundation
import Logging
import LoupeConfig
import LoupeCore
import LoupePostgres
import LoupeSQLite
import ServiceLifecycle

/// Opens the store a `store.url` names.
public enum StoreFactory {
    /// Why a store URL cannot be opened.
    public struct UnsupportedStore: Error, CustomStringConvertible {
        public var url: String
        public var description: String {
            "store.url '\(LoupeConfiguration.Store.redacted(url: url))' is not supported; use sqlite:PATH, such as sqlite:loupe-data/loupe.db, "
                + "or postgres://USER:PASSWORD@HOST:5432/DATABASE"
        }
    }

    /// A store that a read-only command expected to find.
    public struct MissingStore: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "no Loupe store at \(path); run `loupe serve` first, or pass the --config that names the store"
        }
    }

    /// The store for `url`, not yet migrated. With `create` false, a SQLite file that does not exist yet is an error.
    public static func open(url: String, create: Bool = true, logger: Logger = Logger(label: "loupe")) throws -> OpenedStore {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let store = try PostgresTraceStore(url: url, logger: logger)
            return OpenedStore(store: store, service: store)
        }
        guard url.hasPrefix("sqlite:") else { throw UnsupportedStore(url: url) }
        var path = String(url.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path.removeFirst(2) }  // sqlite://path as well as sqlite:path
        if !create, !FileManager.default.fileExists(atPath: path) { throw MissingStore(path: path) }
        let store = try SQLiteTraceStore(path: path)
        return OpenedStore(store: store, service: store.checkpointer)
    }
}

/// A store opened from a URL, with the service (a connection pool) that must run while it is used.
public struct OpenedStore: Sendable {
    public let store: any LoupeStore
    /// Runs the store's connections (PostgreSQL) or its log checkpoints (SQLite).
    public let service: (any Service)?

    /// Runs `body` with the store, running its service around it.
    public func withRunning<Result: Sendable>(_ body: @Sendable (any LoupeStore) async throws -> Result) async throws -> Result {
        guard let service else { return try await body(store) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
