import LoupeCore
import LoupeSQLite

/// Opens the store a `store.url` names.
public enum StoreFactory {
    /// Why a store URL cannot be opened.
    public struct UnsupportedStore: Error, CustomStringConvertible {
        public var url: String
        public var description: String { "store.url '\(url)' is not supported; use sqlite:PATH, such as sqlite:loupe-data/loupe.db" }
    }

    /// The store for `url`, not yet migrated.
    public static func open(url: String) throws -> any TraceStore {
        guard url.hasPrefix("sqlite:") else { throw UnsupportedStore(url: url) }
        var path = String(url.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path.removeFirst(2) }  // sqlite://path as well as sqlite:path
        return try SQLiteTraceStore(path: path)
    }
}
