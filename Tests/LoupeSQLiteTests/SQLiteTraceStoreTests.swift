import Foundation
import GRDB
import LoupeCore
@testable import LoupeSQLite
import Testing

/// What only the SQLite store does; the `TraceStore` contract is tested for every backend in LoupeStoreTests.
@Suite struct SQLiteTraceStoreTests {
    @Test func fileStoreUsesWALAndPassesIntegrityCheck() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/loupe.db").path
        let store = try SQLiteTraceStore(path: path)
        try await store.migrate()
        try await store.insert([Trace(endpoint: "/v1/chat/completions", model: "gpt-4o-mini", cost: USD("0.001"))])
        #expect(try await store.count() == 1)
        #expect(try await store.integrityCheck() == "ok")
        let mode = try await DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    /// Trace text is bound from a buffer that starts over for each row and grows past its first 64 KB chunk: every
    /// value, empty or larger than a chunk, reads back as written, and empty text stays '' rather than NULL.
    @Test func textOfEverySizeReadsBackAsWritten() async throws {
        let database = try DatabaseQueue()
        let store = SQLiteTraceStore(database: database)
        try await store.migrate()
        let large = String(repeating: "é", count: 100_000)  // 200,000 bytes of UTF-8
        let traces = [
            Trace(endpoint: "/v1/chat/completions", model: "", user: "u", tags: ["a", ""], request: large, response: ""),
            Trace(endpoint: "/v1/embeddings", error: "bad\u{0}byte", request: "small", response: large + "!"),
            Trace(endpoint: "/v1/chat/completions", provider: "openai", model: "gpt-4o-mini", tags: ["b"]),
        ]
        try await store.insert(traces)
        var stored: [Trace] = []
        for trace in traces { stored.append(try #require(try await store.trace(id: trace.id))) }
        #expect(stored[0].model == "" && stored[0].request == large && stored[0].response == "" && stored[0].tags == ["a", ""])
        #expect(stored[1].model == nil && stored[1].user == nil && stored[1].error == "bad\u{FFFD}byte")
        #expect(stored[1].request == "small" && stored[1].response == large + "!")
        #expect(stored[2].provider == "openai" && stored[2].model == "gpt-4o-mini" && stored[2].request == nil)
        let tags = try await database.read { db in try String.fetchAll(db, sql: "SELECT tag FROM trace_tags ORDER BY tag") }
        #expect(tags == ["", "a", "b"])
    }

    /// The batch's rollup is counted apart from its rows; when an id comes twice in one batch, the second is not
    /// stored, and it is not tagged or counted in the rollups either.
    @Test func anIdRepeatedWithinOneBatchIsStoredTaggedAndCountedOnce() async throws {
        let database = try DatabaseQueue()
        let store = SQLiteTraceStore(database: database)
        try await store.migrate()
        var traces = (0..<70).map { index in
            Trace(endpoint: "/v1/chat/completions", model: "m\(index % 3)", latencyMs: Double(index), tags: ["t"])
        }
        traces[20].id = traces[5].id
        traces[40].id = traces[3].id
        try await store.insert(traces)
        #expect(try await store.count() == 68)
        let tagged = try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trace_tags") }
        #expect(tagged == 68)
        let requests = try await store.costReport(CostReportQuery(groupBy: .model)).map(\.requests).reduce(0, +)
        #expect(requests == 68)
        #expect(try await store.trace(id: traces[5].id)?.latencyMs == 5)
    }

    /// v17 re-keys runs' params, tags and latest metrics by an integer: runs stored before it keep all they had,
    /// stay searchable, and take new values.
    @Test func runsStoredBeforeTheRunKeysSurviveTheirMigration() async throws {
        let database = try DatabaseQueue()
        try SQLiteTraceStore.migrator.migrate(database, upTo: "v16-otel-spans")
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (1, 'old', 'mlflow-artifacts:/1', 'active', 0, 0);
                INSERT INTO runs (id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) VALUES
                    ('aaaa', 1, 'first', 'u', 'FINISHED', 1000, 2000, 'x/aaaa', 'active'),
                    ('bbbb', 1, 'second', 'u', 'RUNNING', 3000, NULL, 'x/bbbb', 'active');
                INSERT INTO run_params (run_id, key, value) VALUES ('aaaa', 'alpha', '0.1'), ('bbbb', 'alpha', '0.5');
                INSERT INTO run_tags (run_id, key, value) VALUES ('aaaa', 'mlflow.runName', 'first'), ('bbbb', 'group', 'g');
                INSERT INTO run_metrics (run_id, key, step, timestamp, value, is_nan) VALUES ('aaaa', 'rmse', 0, 10, 0.3, 0);
                INSERT INTO run_latest_metrics (run_id, key, step, timestamp, value, is_nan) VALUES
                    ('aaaa', 'rmse', 0, 10, 0.3, 0), ('bbbb', 'rmse', 0, 10, 0, 1);
                INSERT INTO run_inputs (run_id, input) VALUES ('aaaa', '{"dataset":{"name":"d","digest":"1"}}');
                """)
        }
        let store = SQLiteTraceStore(database: database)
        try await store.migrate()

        let first = try #require(try await store.run(id: "aaaa"))
        #expect(first.info.name == "first" && first.info.endTime == 2000)
        #expect(first.params == ["alpha": "0.1"] && first.tags == ["mlflow.runName": "first"])
        #expect(first.metrics["rmse"]?.value == 0.3 && first.datasetInputs.count == 1)
        #expect(try #require(try await store.run(id: "bbbb")).metrics["rmse"]?.value.isNaN == true)
        let found = try await store.searchRuns(
            experimentIDs: ["1"], filter: SearchFilter.parse("metrics.rmse < 0.5 and params.alpha = '0.1'", for: .runs), order: [],
            view: .activeOnly, maxResults: 10, pageToken: nil
        )
        #expect(found.items.map(\.info.id) == ["aaaa"])
        // The old run takes new values under its new key, and the history it had is still there.
        try await store.logBatch(runID: "bbbb", metrics: [MetricPoint(key: "rmse", value: 0.2, timestamp: 20, step: 1)], params: [], tags: [("group", "h")])
        let second = try #require(try await store.run(id: "bbbb"))
        #expect(second.metrics["rmse"]?.value == 0.2 && second.tags == ["group": "h"])
        #expect(try await store.metricHistory(runID: "aaaa", key: "rmse", maxResults: 10, pageToken: nil).items.map(\.value) == [0.3])
        let problems = try await database.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(problems.isEmpty)
    }
}
