import Foundation
import LoupeCore
import LoupeSQLite

/// Opens the store a `store.url` names.
public enum StoreFactory {
    /// Why a store URL cannot be opened.
    public struct UnsupportedStore: Error, CustomStringConvertible {
        public var url: String
        public var description: String { "store.url '\(url)' is not supported; use sqlite:PATH, such as sqlite:loupe-data/loupe.db" }
    }

    /// A store that a read-only command expected to find.
    public struct MissingStore: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "no Loupe store at \(path); run `loupe serve` first, or pass the --config that names the store"
        }
    }

    /// The store for `url`, not yet migrated. With `create` false, a store that does not exist yet is an error.
    public static func open(url: String, create: Bool = true) throws -> any TraceStore {
        guard url.hasPrefix("sqlite:") else { throw UnsupportedStore(url: url) }
        var path = String(url.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path.removeFirst(2) }  // sqlite://path as well as sqlite:path
        if !create, !FileManager.default.fileExists(atPath: path) { throw MissingStore(path: path) }
        return try SQLiteTraceStore(path: path)
    }
}
