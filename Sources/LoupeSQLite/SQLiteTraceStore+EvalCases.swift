import GRDB
import LoupeCore

/// Eval case results in the same SQLite file as the tracking runs they belong to.
extension SQLiteTraceStore: EvalCaseStore {
    static let createEvalCases = """
        CREATE TABLE eval_cases (
            run_id TEXT NOT NULL REFERENCES runs(id),
            position INTEGER NOT NULL,
            result TEXT NOT NULL,                 -- one case's result as JSON
            PRIMARY KEY (run_id, position)
        ) STRICT, WITHOUT ROWID;
        """

    public func saveEvalCases(runID: String, cases: [String]) async throws {
        try await longWrite { db in
            try Self.requireRun(db, runID)
            try db.execute(sql: "DELETE FROM eval_cases WHERE run_id = ?", arguments: [runID])
            let insert = try db.cachedStatement(sql: "INSERT INTO eval_cases (run_id, position, result) VALUES (?, ?, ?)")
            for (position, result) in cases.enumerated() {
                var binder = try SQLiteRowBinder(insert, in: db)
                try binder.bind(runID)
                try binder.bind(position)
                try binder.bind(result)
                try binder.execute()
            }
        }
    }

    public func evalCases(runID: String) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT result FROM eval_cases WHERE run_id = ? ORDER BY position", arguments: [runID])
        }
    }
}
