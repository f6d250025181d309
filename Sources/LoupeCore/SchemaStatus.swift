/// The migrations a store has applied, against the ones this binary knows.
public struct SchemaStatus: Sendable, Hashable {
    /// Applied in the store, oldest first.
    public var applied: [String]
    /// Known to this binary and not yet applied, in the order they will run.
    public var pending: [String]
    /// Applied in the store but unknown to this binary: a newer Loupe upgraded the schema.
    public var unknown: [String]

    public init(applied: [String], pending: [String], unknown: [String]) {
        self.applied = applied
        self.pending = pending
        self.unknown = unknown
    }

    /// True when nothing is pending and nothing is unknown.
    public var isCurrent: Bool { pending.isEmpty && unknown.isEmpty }
}
