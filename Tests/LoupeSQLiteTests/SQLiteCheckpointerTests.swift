import Foundation
import LoupeCore
import LoupeSQLite
import Testing

/// The checkpointer moves a file store's write-ahead log into the database file off the write path.
@Suite struct SQLiteCheckpointerTests {
    @Test func theLogReachesTheDatabaseFileWithoutAWriterCheckpointing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("loupe.db").path
        let store = try SQLiteTraceStore(path: path)
        try await store.migrate()
        func size() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let before = try size()
        // About 4 MB of traces: far below the length at which a commit would checkpoint itself.
        let body = String(repeating: "x", count: 2_000)
        for _ in 0..<4 {
            try await store.insert((0..<500).map { _ in Trace(endpoint: "/v1/chat/completions", model: "gpt-4o-mini", request: body) })
        }
        #expect(try size() == before, "a commit checkpointed by itself")

        let checkpointer = try #require(store.checkpointer)
        let grew = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await checkpointer.run(); return false }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline {
                    if try size() > before + 3_000_000 { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            let result = try await group.next() ?? false
            group.cancelAll()
            return result
        }
        #expect(grew, "the database file did not take the log's pages")
        #expect(try await store.count() == 2_000)
        #expect(try await store.integrityCheck() == "ok")
    }
}
