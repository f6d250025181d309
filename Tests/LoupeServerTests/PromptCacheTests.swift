import Foundation
import GRDB
import LoupeCore
import LoupePrompts
@testable import LoupeServer
import LoupeSQLite
import Testing

/// The proxy's cache of compiled prompt versions, refreshed from the store's revision.
@Suite struct PromptCacheTests {
    /// A store that cannot answer for its revision until told it can, as while another instance migrates it.
    final class LateStore: PromptStore, @unchecked Sendable {
        let store: SQLiteTraceStore
        var answers = false
        init(_ store: SQLiteTraceStore) { self.store = store }
        func createPromptVersion(_ draft: PromptDraft, contentHash: String, onlyIfChanged: Bool) async throws -> (PromptVersion, created: Bool) {
            try await store.createPromptVersion(draft, contentHash: contentHash, onlyIfChanged: onlyIfChanged)
        }
        func promptVersion(name: String, _ selector: PromptSelector) async throws -> PromptVersion? {
            try await store.promptVersion(name: name, selector)
        }
        func prompts() async throws -> [PromptSummary] { try await store.prompts() }
        func setPromptLabels(name: String, version: Int, labels: [String]) async throws -> PromptVersion? {
            try await store.setPromptLabels(name: name, version: version, labels: labels)
        }
        func promptsRevision() async throws -> Int64 {
            guard answers else { throw CancellationError() }
            return try await store.promptsRevision()
        }
    }

    @Test func versionsCachedBeforeTheFirstLookAtTheRevisionAreDroppedByIt() async throws {
        let store = LateStore(SQLiteTraceStore(database: try DatabaseQueue()))
        try await store.store.migrate()
        func push(_ text: String, labels: [String]) async throws {
            _ = try await store.createPromptVersion(
                PromptDraft(name: "greeting", template: .text(text), labels: labels), contentHash: text, onlyIfChanged: false
            )
        }
        try await push("v1", labels: ["production"])
        let cache = PromptCache(store: store)
        await #expect(throws: CancellationError.self) { try await cache.refresh() }
        #expect(try await cache.renderer(name: "greeting", selector: .label("production"))?.version.version == 1)

        // Another instance deploys v2 before this one's first look at the revision succeeds.
        try await push("v2", labels: ["production"])
        #expect(try await cache.renderer(name: "greeting", selector: .label("production"))?.version.version == 1, "cached")
        store.answers = true
        try await cache.refresh()
        #expect(try await cache.renderer(name: "greeting", selector: .label("production"))?.version.version == 2)

        // Later changes are noticed as before.
        try await push("v3", labels: ["production"])
        try await cache.refresh()
        #expect(try await cache.renderer(name: "greeting", selector: .label("production"))?.version.version == 3)
    }
}
