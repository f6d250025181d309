/// Why a store's schema cannot be used by this binary.
public enum SchemaError: Error, CustomStringConvertible, Equatable {
    /// The store was migrated by a newer Loupe.
    case newerThanBinary(unknown: [String])
    /// `serve --no-migrate` found migrations still to apply.
    case pendingMigrations([String])

    public var description: String {
        switch self {
        case .newerThanBinary(let unknown):
            "the store's schema is newer than this loupe binary knows (unknown migrations: \(unknown.joined(separator: ", "))). "
                + "Run the newer loupe that migrated it, or restore a backup taken before the upgrade."
        case .pendingMigrations(let pending):
            "the store's schema is behind this loupe binary (pending migrations: \(pending.joined(separator: ", "))). "
                + "Run `loupe db migrate`, or start serve without --no-migrate."
        }
    }
}
