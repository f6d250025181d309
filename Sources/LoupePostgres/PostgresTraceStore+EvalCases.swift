import LoupeCore
import PostgresNIO

/// Eval case results in the same PostgreSQL database as the tracking runs they belong to.
extension PostgresTraceStore: EvalCaseStore {
    public func saveEvalCases(runID: String, cases: [String]) async throws {
        try await withConnection("save eval cases of run \(runID)") { connection in
            try await self.transaction(on: connection) {
                let exists = try await connection.query("SELECT 1 FROM runs WHERE id = \(runID)", logger: self.logger).collect()
                guard !exists.isEmpty else { throw TrackingError.notFound("Run '\(runID)' not found") }
                try await self.execute("DELETE FROM eval_cases WHERE run_id = \(runID)", on: connection)
                guard !cases.isEmpty else { return }
                let positions = cases.indices.map { Int64($0) }
                try await self.execute("""
                    INSERT INTO eval_cases (run_id, position, result) SELECT \(runID), * FROM unnest(\(positions)::int8[], \(cases)::text[])
                    """, on: connection)
            }
        }
    }

    public func evalCases(runID: String) async throws -> [String] {
        try await withConnection("read eval cases of run \(runID)") { connection in
            var results: [String] = []
            for try await (result) in try await connection.query(
                "SELECT result FROM eval_cases WHERE run_id = \(runID) ORDER BY position", logger: self.logger
            ).decode(String.self) {
                results.append(result)
            }
            return results
        }
    }
}
