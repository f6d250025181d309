import LoupeCore
import PostgresNIO

extension PostgresTraceStore {
    /// A tracking search's query: `select` (which binds its own values), then the filter's conditions, the
    /// order and the page, every value bound. Returns the page's offset too.
    static func searchQuery(
        _ select: (inout PostgresQueryBuilder) -> String, _ table: TrackingSearchSQL.Table, _ filter: SearchFilter, _ order: [SearchOrder],
        _ maxResults: Int, _ pageToken: String?
    ) throws -> (PostgresQuery, Int) {
        let offset = try PageToken.offset(pageToken)
        var builder = PostgresQueryBuilder()
        var sql = select(&builder)
        let search = TrackingSearchSQL(dialect: .postgres, table: table) { value in
            switch value {
            case .text(let text): builder.bind(text)
            case .number(let number): builder.bind(number)
            }
        }
        sql += try search.conditions(filter)
        sql += " ORDER BY " + (try search.orderBy(order))
        sql += " LIMIT \(builder.bind(maxResults + 1)) OFFSET \(builder.bind(offset))"
        builder.append(sql)
        return (builder.query, offset)
    }
}
