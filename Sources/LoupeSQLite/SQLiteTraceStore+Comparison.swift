import Foundation
import GRDB
import LoupeCore

extension SQLiteTraceStore: ComparisonStore {
    public func comparisonFacts(_ filter: ComparisonFilter, limit: Int) async throws -> [ComparisonFact] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let model = filter.model {
            conditions.append("model = ?")
            arguments += [model]
        }
        if let variant = filter.variant {
            // traces_variant covers only traces that have one; repeating its predicate lets SQLite use it.
            conditions.append("variant = ? AND variant IS NOT NULL")
            arguments += [variant]
        }
        Self.addWindow(filter.since, filter.until, column: "created_at", to: &conditions, &arguments)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.comparisonColumns(of: nil)) FROM traces \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [max(limit, 0)]
        let finalArguments = arguments
        return try await writer.read { db in
            var facts: [ComparisonFact] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: finalArguments)
            while let row = try rows.next() { facts.append(Self.comparisonFact(row, prefix: "")) }
            return facts
        }
    }

    public func shadowPairs(shadowModel: String, since: Date?, until: Date?, limit: Int) async throws -> [ShadowPair] {
        var conditions = ["s.model = ?", "s.variant = 'shadow'", "s.parent_trace_id IS NOT NULL"]
        var arguments: StatementArguments = [shadowModel]
        Self.addWindow(since, until, column: "s.created_at", to: &conditions, &arguments)
        // Each shadow finds its primary by primary key.
        let sql = """
            SELECT \(Self.comparisonColumns(of: "s")), \(Self.comparisonColumns(of: "p"))
            FROM traces s JOIN traces p ON p.id = s.parent_trace_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY s.created_at DESC, s.id DESC LIMIT ?
            """
        arguments += [max(limit, 0)]
        let finalArguments = arguments
        return try await writer.read { db in
            var pairs: [ShadowPair] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: finalArguments)
            while let row = try rows.next() {
                pairs.append(ShadowPair(primary: Self.comparisonFact(row, prefix: "p_"), shadow: Self.comparisonFact(row, prefix: "s_")))
            }
            return pairs
        }
    }

    /// The columns `comparisonFact` reads, from the table aliased `alias` and named with its prefix (`s_model`).
    private static func comparisonColumns(of alias: String?) -> String {
        let columns = ["created_at", "model", "variant", "status", "latency_ms", "ttft_ms", "input_tokens", "output_tokens", "cost_picos", "cache_hit"]
        guard let alias else { return columns.joined(separator: ", ") }
        return columns.map { "\(alias).\($0) AS \(alias)_\($0)" }.joined(separator: ", ")
    }

    private static func comparisonFact(_ row: Row, prefix: String) -> ComparisonFact {
        ComparisonFact(
            createdAtMillis: row[prefix + "created_at"],
            model: row[prefix + "model"],
            variant: row[prefix + "variant"],
            status: TraceStatus(rawValue: row[prefix + "status"]) ?? .error,
            latencyMs: row[prefix + "latency_ms"],
            ttftMs: row[prefix + "ttft_ms"],
            inputTokens: row[prefix + "input_tokens"],
            outputTokens: row[prefix + "output_tokens"],
            costPicos: row[prefix + "cost_picos"],
            cacheHit: row[prefix + "cache_hit"] ?? false
        )
    }

    private static func addWindow(_ since: Date?, _ until: Date?, column: String, to conditions: inout [String], _ arguments: inout StatementArguments) {
        if let since {
            conditions.append("\(column) >= ?")
            arguments += [since.unixMillis]
        }
        if let until {
            conditions.append("\(column) < ?")
            arguments += [until.unixMillis]
        }
    }
}
