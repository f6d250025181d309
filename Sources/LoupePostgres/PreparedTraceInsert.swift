import PostgresNIO

/// The trace insert as a prepared statement. Its text never changes (every value, even the row count, is a
/// parameter), so each connection parses and plans it once instead of for every batch: about a twelfth of the
/// server's time in ingest.
struct PreparedTraceInsert: PostgresPreparedStatement {
    typealias Row = ()

    static let sql = PostgresTraceInsert.query([], shard: 0).sql

    let query: PostgresQuery

    /// `query` prepared, or nil when its text is not the statement's (then it runs as it is).
    init?(_ query: PostgresQuery) {
        guard query.sql == Self.sql else { return nil }
        self.query = query
    }

    func makeBindings() throws -> PostgresBindings { query.binds }

    func decodeRow(_ row: PostgresRow) throws {}
}
