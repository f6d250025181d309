import Foundation
import GRDB
import LoupeCore
import LoupeSQLite
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
}
