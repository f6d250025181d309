import Foundation
import LoupeCore
import PostgresNIO

extension PostgresTraceStore: ComparisonStore {
    public func comparisonFacts(_ filter: ComparisonFilter, limit: Int) async throws -> [ComparisonFact] {
        var builder = PostgresQueryBuilder()
        var conditions: [String] = []
        if let model = filter.model { conditions.append("model = \(builder.bind(model))") }
        // traces_variant covers only traces that have one; repeating its predicate lets the planner use it.
        if let variant = filter.variant { conditions.append("variant = \(builder.bind(variant)) AND variant IS NOT NULL") }
        if let since = filter.since { conditions.append("created_at >= \(builder.bind(since.unixMillis))") }
        if let until = filter.until { conditions.append("created_at < \(builder.bind(until.unixMillis))") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limitPlaceholder = builder.bind(max(limit, 0))
        builder.append(
            "SELECT \(Self.comparisonColumns(of: nil)) FROM traces \(whereClause) ORDER BY created_at DESC, id DESC LIMIT \(limitPlaceholder)"
        )
        let query = builder.query
        return try await withConnection("read calls to compare") { connection in
            var facts: [ComparisonFact] = []
            for try await row in try await connection.query(query, logger: self.logger) {
                facts.append(try Self.comparisonFact(row.makeRandomAccess(), prefix: ""))
            }
            return facts
        }
    }

    public func shadowPairs(shadowModel: String, since: Date?, until: Date?, limit: Int) async throws -> [ShadowPair] {
        var builder = PostgresQueryBuilder()
        var conditions = ["s.model = \(builder.bind(shadowModel))", "s.variant = 'shadow'", "s.parent_trace_id IS NOT NULL"]
        if let since { conditions.append("s.created_at >= \(builder.bind(since.unixMillis))") }
        if let until { conditions.append("s.created_at < \(builder.bind(until.unixMillis))") }
        let limitPlaceholder = builder.bind(max(limit, 0))
        // Each shadow finds its primary by primary key.
        builder.append("""
            SELECT \(Self.comparisonColumns(of: "s")), \(Self.comparisonColumns(of: "p"))
            FROM traces s JOIN traces p ON p.id = s.parent_trace_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY s.created_at DESC, s.id DESC LIMIT \(limitPlaceholder)
            """)
        let query = builder.query
        return try await withConnection("read shadow calls to compare") { connection in
            var pairs: [ShadowPair] = []
            for try await row in try await connection.query(query, logger: self.logger) {
                let columns = row.makeRandomAccess()
                pairs.append(ShadowPair(primary: try Self.comparisonFact(columns, prefix: "p_"), shadow: try Self.comparisonFact(columns, prefix: "s_")))
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

    private static func comparisonFact(_ row: PostgresRandomAccessRow, prefix: String) throws -> ComparisonFact {
        ComparisonFact(
            createdAtMillis: try row[prefix + "created_at"].decode(Int64.self),
            model: try row[prefix + "model"].decode(String?.self),
            variant: try row[prefix + "variant"].decode(String?.self),
            status: TraceStatus(rawValue: try row[prefix + "status"].decode(String.self)) ?? .error,
            latencyMs: try row[prefix + "latency_ms"].decode(Double.self),
            ttftMs: try row[prefix + "ttft_ms"].decode(Double?.self),
            inputTokens: try row[prefix + "input_tokens"].decode(Int64?.self),
            outputTokens: try row[prefix + "output_tokens"].decode(Int64?.self),
            costPicos: try row[prefix + "cost_picos"].decode(Int64?.self),
            cacheHit: try row[prefix + "cache_hit"].decode(Bool.self)
        )
    }
}
