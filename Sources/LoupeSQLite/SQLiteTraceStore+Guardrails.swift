import Foundation
import GRDB
import LoupeCore

extension SQLiteTraceStore {
    public func guardrailReport(since: Date?, until: Date?) async throws -> [GuardrailReportRow] {
        try await writer.read { db in
            // Only calls on which a check fired have results, and traces_guardrails indexes just those.
            var sql = "SELECT guardrails FROM traces WHERE guardrails IS NOT NULL"
            var arguments: StatementArguments = []
            if let since {
                sql += " AND created_at >= ?"
                arguments += [since.unixMillis]
            }
            if let until {
                sql += " AND created_at < ?"
                arguments += [until.unixMillis]
            }
            let stored = try String.fetchCursor(db, sql: sql, arguments: arguments)
            var results: [String?] = []
            while let text = try stored.next() { results.append(text) }
            return GuardrailReportRow.aggregate(results)
        }
    }
}
