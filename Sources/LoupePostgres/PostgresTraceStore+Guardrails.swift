import Foundation
import LoupeCore
import PostgresNIO

extension PostgresTraceStore {
    public func guardrailReport(since: Date?, until: Date?) async throws -> [GuardrailReportRow] {
        // Only calls on which a check fired have results, and traces_guardrails indexes just those.
        let sinceMillis = since?.unixMillis ?? Int64.min
        let untilMillis = until?.unixMillis ?? Int64.max
        return try await withConnection("read the guardrail report") { connection in
            let rows = try await connection.query(
                """
                SELECT guardrails::text FROM traces
                WHERE guardrails IS NOT NULL AND created_at >= \(sinceMillis) AND created_at < \(untilMillis)
                """,
                logger: self.logger
            )
            var results: [String?] = []
            for try await text in rows.decode(String?.self) { results.append(text) }
            return GuardrailReportRow.aggregate(results)
        }
    }
}
