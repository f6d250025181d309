import GRDB
import LoupeCore

extension SQLiteTraceStore {
    /// A tracking search's SQL and arguments: `select` (whose own placeholders take `leading`), then the
    /// filter's conditions, the order and the page. Placeholders are positional, so arguments follow the
    /// order in which the text names them. Returns the page's offset too.
    static func searchSQL(
        _ select: String, leading: StatementArguments = [], _ table: TrackingSearchSQL.Table, _ filter: SearchFilter, _ order: [SearchOrder],
        _ maxResults: Int, _ pageToken: String?
    ) throws -> (String, StatementArguments, Int) {
        let offset = try PageToken.offset(pageToken)
        var arguments = leading
        let search = TrackingSearchSQL(dialect: .sqlite, table: table) { value in
            switch value {
            case .text(let text): arguments += [text]
            case .number(let number): arguments += [number]
            }
            return "?"
        }
        var sql = select + (try search.conditions(filter))
        sql += " ORDER BY " + (try search.orderBy(order)) + " LIMIT ? OFFSET ?"
        arguments += [maxResults + 1, offset]
        return (sql, arguments, offset)
    }
}
