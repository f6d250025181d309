import Foundation
import LoupeCore
import LoupeSQLite
@testable import LoupeServer
import Testing

/// Budgets count each call exactly once: recorded here before the store has it, then from the store.
@Suite struct SpendTrackerTests {
    @Test func aCallCountsOnceBeforeAndAfterItIsStored() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-spend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTraceStore(path: directory.appendingPathComponent("loupe.db").path)
        try await store.migrate()
        // Re-read the store every time, as a busy budget would once a second.
        let tracker = SpendTracker(store: store, refresh: .zero)
        let since = Date().addingTimeInterval(-3600)
        func call(_ cost: String) -> Trace {
            Trace(endpoint: "/v1/chat/completions", usage: TokenUsage(inputTokens: 1), cost: USD(cost), user: "ada", keyID: "key_a")
        }

        let first = call("0.10")
        tracker.record(first)
        #expect(try await tracker.spent(.key("key_a"), since: since) == USD("0.10"))
        try await store.insert([first])
        #expect(try await tracker.spent(.key("key_a"), since: since) == USD("0.10"))
        #expect(try await tracker.spent(.user("ada"), since: since) == USD("0.10"))

        // A call another instance made reaches this one through the store only.
        try await store.insert([call("0.05")])
        let second = call("0.20")
        tracker.record(second)
        #expect(try await tracker.spent(.key("key_a"), since: since) == USD("0.35"))
        try await store.insert([second])
        #expect(try await tracker.spent(.key("key_a"), since: since) == USD("0.35"))
    }
}
