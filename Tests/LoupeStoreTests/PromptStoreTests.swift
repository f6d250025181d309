import Foundation
import LoupeCore
import Testing

/// The `PromptStore` contract, run against every backend.
@Suite struct PromptStoreTests {
    func draft(_ name: String = "support/reply", _ text: String = "Hello {{name}}", labels: [String] = []) -> PromptDraft {
        PromptDraft(name: name, template: .text(text), config: ["model": .string("gpt-4o-mini")], tags: ["support"], labels: labels)
    }

    func withPrompts(_ backend: StoreBackend, _ body: (any PromptStore) async throws -> Void) async throws {
        try await backend.withStore { store in try await body(try #require(store as? any PromptStore)) }
    }

    @Test(arguments: StoreBackend.tested)
    func versionsCountFromOneAndLabelsMove(_ backend: StoreBackend) async throws {
        try await withPrompts(backend) { prompts in
            #expect(try await prompts.promptVersion(name: "support/reply", .deployed) == nil)
            let (first, created) = try await prompts.createPromptVersion(draft(labels: ["production"]), contentHash: "h1", onlyIfChanged: true)
            #expect(created && first.version == 1 && first.labels == ["latest", "production"])
            let chat = PromptDraft(name: "support/reply", template: .chat([.init(role: "system", content: "Be brief"), .init(role: "user", content: "{{q}}")]))
            let (second, _) = try await prompts.createPromptVersion(chat, contentHash: "h2", onlyIfChanged: true)
            #expect(second.version == 2 && second.labels == ["latest"])
            #expect(try await prompts.promptVersion(name: "support/reply", .version(1))?.labels == ["production"])
            // No selector: production while it exists, whatever is newer.
            #expect(try await prompts.promptVersion(name: "support/reply", .deployed)?.version == 1)
            #expect(try await prompts.promptVersion(name: "support/reply", .label("latest"))?.template == chat.template)
            let moved = try await prompts.setPromptLabels(name: "support/reply", version: 2, labels: ["production", "staging"])
            #expect(moved?.labels == ["latest", "production", "staging"])
            #expect(try await prompts.promptVersion(name: "support/reply", .version(1))?.labels == [])
            #expect(try await prompts.promptVersion(name: "support/reply", .deployed)?.version == 2)
            // Setting labels replaces the version's own: staging goes.
            #expect(try await prompts.setPromptLabels(name: "support/reply", version: 2, labels: ["production"])?.labels == ["latest", "production"])
            #expect(try await prompts.promptVersion(name: "support/reply", .label("staging")) == nil)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func unchangedContentMakesNoVersionAndWithoutProductionLatestServes(_ backend: StoreBackend) async throws {
        try await withPrompts(backend) { prompts in
            let revision = try await prompts.promptsRevision()
            _ = try await prompts.createPromptVersion(draft("greet"), contentHash: "same", onlyIfChanged: true)
            let afterCreate = try await prompts.promptsRevision()
            #expect(afterCreate > revision)
            let (again, created) = try await prompts.createPromptVersion(draft("greet", labels: ["production"]), contentHash: "same", onlyIfChanged: true)
            #expect(!created && again.version == 1 && again.labels == ["latest"])  // nothing changed, labels included
            #expect(try await prompts.promptsRevision() == afterCreate)
            // The API creates a version even for the same content when asked to.
            #expect(try await prompts.createPromptVersion(draft("greet"), contentHash: "same", onlyIfChanged: false).0.version == 2)
            #expect(try await prompts.promptVersion(name: "greet", .deployed)?.version == 2)
            let list = try await prompts.prompts()
            #expect(list.map(\.name) == ["greet"])
            #expect(list.first?.versions == [1, 2] && list.first?.labels == ["latest": 2] && list.first?.type == "text")
        }
    }

    @Test(arguments: StoreBackend.tested)
    func badLabelsAndUnknownVersionsAreRefused(_ backend: StoreBackend) async throws {
        try await withPrompts(backend) { prompts in
            _ = try await prompts.createPromptVersion(draft(), contentHash: "h", onlyIfChanged: true)
            await #expect(throws: PromptError.latestIsAutomatic) {
                _ = try await prompts.setPromptLabels(name: "support/reply", version: 1, labels: ["latest"])
            }
            await #expect(throws: PromptError.latestIsAutomatic) {
                _ = try await prompts.createPromptVersion(draft(labels: ["latest"]), contentHash: "x", onlyIfChanged: true)
            }
            await #expect(throws: PromptError.invalidLabel("no spaces")) {
                _ = try await prompts.setPromptLabels(name: "support/reply", version: 1, labels: ["no spaces"])
            }
            await #expect(throws: PromptError.invalidName("../escape")) {
                _ = try await prompts.createPromptVersion(draft("../escape"), contentHash: "x", onlyIfChanged: true)
            }
            #expect(try await prompts.setPromptLabels(name: "support/reply", version: 9, labels: ["production"]) == nil)
            #expect(try await prompts.promptVersion(name: "support/reply", .version(9)) == nil)
            #expect(try await prompts.promptVersion(name: "support/reply", .label("nowhere")) == nil)
            #expect(try await prompts.promptVersion(name: "missing", .deployed) == nil)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func concurrentPushesTakeDistinctVersions(_ backend: StoreBackend) async throws {
        try await withPrompts(backend) { prompts in
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask { try await prompts.createPromptVersion(draft("busy", "v\(index)"), contentHash: "h\(index)", onlyIfChanged: true).0.version }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(versions.sorted() == Array(1...6))
        }
    }
}
