import PostgresNIO

/// Builds a query whose shape depends on the caller: fixed SQL fragments, with every value bound as `$n`.
struct PostgresQueryBuilder {
    private(set) var sql = ""
    private var binds = PostgresBindings()

    /// Appends fixed SQL text; never pass anything a caller supplied.
    mutating func append(_ fixedSQL: String) {
        sql += fixedSQL
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
