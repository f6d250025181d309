import Foundation
import LoupeCore
import LoupeTestSupport
import NIOHTTP1
import Testing

/// The prompt API through real sockets to a live Loupe with a SQLite file store.
@Suite struct PromptControllerTests {
    static let chat = #"""
        {"name": "support/reply", "type": "chat", "labels": ["production"], "tags": ["support"], "commit_message": "first",
         "prompt": [{"role": "system", "content": "You answer for {{company}}."}, {"role": "user", "content": "{{question}}"}],
         "config": {"model": "gpt-4o-mini", "temperature": 0.2}}
        """#

    @Test func createListShowRelabelAndRender() async throws {
        try await withLoupe { loupe in
            let created = try await loupe.request("/api/prompts", body: Self.chat)
            #expect(created.status == 201)
            #expect(created.json?["version"] == .number(1) && created.json?["labels"] == .array([.string("latest"), .string("production")]))
            let second = try await loupe.request("/api/prompts", body: #"{"name": "support/reply", "prompt": [{"role": "user", "content": "v2 {{question}}"}]}"#)
            #expect(second.json?["version"] == .number(2) && second.json?["type"] == .string("chat"))

            let list = try await loupe.get("/api/prompts")
            guard case .array(let prompts)? = list.json?["data"] else { Issue.record(Comment(rawValue: list.body)); return }
            #expect(prompts.first?["name"] == .string("support/reply"))
            #expect(prompts.first?["labels"] == .object(["latest": .number(2), "production": .number(1)]))

            // Without a version or label: production.
            #expect(try await loupe.get("/api/prompts/support/reply").json?["version"] == .number(1))
            #expect(try await loupe.get("/api/prompts/support/reply?label=latest").json?["version"] == .number(2))
            #expect(try await loupe.get("/api/prompts/support/reply?version=2").json?["commit_message"] == .null)

            let rendered = try await loupe.request("/api/prompts/support/reply/render", body: #"{"variables": {"company": "A&B", "question": "Where is <it>?"}}"#)
            #expect(rendered.status == 200)
            #expect(rendered.json?["prompt"] == .array([
                .object(["role": .string("system"), "content": .string("You answer for A&B.")]),
                .object(["role": .string("user"), "content": .string("Where is <it>?")]),
            ]))
            #expect(rendered.json?["config"]?["model"] == .string("gpt-4o-mini") && rendered.json?["version"] == .number(1))

            let moved = try await loupe.request("/api/prompts/support/reply/versions/2", method: .PATCH, body: #"{"labels": ["production"]}"#)
            #expect(moved.status == 200 && moved.json?["labels"] == .array([.string("latest"), .string("production")]))
            #expect(try await loupe.get("/api/prompts/support/reply").json?["version"] == .number(2))
        }
    }

    @Test func promptsIncludeOtherTextPromptsAsPartials() async throws {
        try await withLoupe { loupe in
            _ = try await loupe.request("/api/prompts", body: #"{"name": "shared/footer", "prompt": "-- {{company}} support"}"#)
            _ = try await loupe.request("/api/prompts", body: #"{"name": "mail", "prompt": [{"role": "system", "content": "Hi {{name}}.\n{{> shared/footer}}"}]}"#)
            let rendered = try await loupe.request("/api/prompts/mail/render", body: #"{"variables": {"name": "Ann", "company": "Acme"}}"#)
            #expect(rendered.json?["prompt"] == .array([.object(["role": .string("system"), "content": .string("Hi Ann.\n-- Acme support")])]))
            // The included prompt's variables are required too.
            let missing = try await loupe.request("/api/prompts/mail/render", body: #"{"variables": {"name": "Ann"}}"#)
            #expect(missing.status == 400 && missing.json?["error"]?["message"]?.stringValue?.contains("company") == true)
            _ = try await loupe.request("/api/prompts", body: #"{"name": "orphan", "prompt": "{{> nowhere}}"}"#)
            let orphan = try await loupe.request("/api/prompts/orphan/render", body: #"{}"#)
            #expect(orphan.status == 404 && orphan.json?["error"]?["message"]?.stringValue?.contains("'nowhere'") == true)
            // Through the proxy as well.
            _ = try await loupe.request("/v1/chat/completions", body: #"{"model": "gpt-4o-mini", "prompt": {"name": "mail", "variables": {"name": "Bo", "company": "Acme"}}}"#)
            #expect(loupe.upstream.requests().last?.body.contains("Hi Bo.\\n-- Acme support") == true)
        }
    }

    @Test func badRequestsSayWhatIsWrong() async throws {
        try await withLoupe { loupe in
            _ = try await loupe.request("/api/prompts", body: Self.chat)
            let missing = try await loupe.request("/api/prompts/support/reply/render", body: #"{"variables": {}}"#)
            #expect(missing.status == 400 && missing.json?["error"]?["code"] == .string("missing_variables"))
            #expect(missing.json?["error"]?["message"]?.stringValue?.contains("company, question") == true)

            let unknown = try await loupe.get("/api/prompts/nope")
            #expect(unknown.status == 404 && unknown.json?["error"]?["message"]?.stringValue?.contains("'nope'") == true)
            let noLabel = try await loupe.get("/api/prompts/support/reply?label=staging")
            #expect(noLabel.status == 404 && noLabel.json?["error"]?["message"]?.stringValue?.contains("label 'staging'") == true)
            let noVersion = try await loupe.request("/api/prompts/support/reply/versions/7", method: .PATCH, body: #"{"labels": ["x"]}"#)
            #expect(noVersion.status == 404 && noVersion.json?["error"]?["message"]?.stringValue?.contains("version 7") == true)

            let latest = try await loupe.request("/api/prompts/support/reply/versions/1", method: .PATCH, body: #"{"labels": ["latest"]}"#)
            #expect(latest.status == 400 && latest.json?["error"]?["message"]?.stringValue?.contains("cannot be set by hand") == true)
            let template = try await loupe.request("/api/prompts", body: #"{"name": "broken", "prompt": "Hi {{#open}}"}"#)
            #expect(template.status == 400 && template.json?["error"]?["code"] == .string("invalid_template"))
            let malformed = try await loupe.request("/api/prompts", body: #"{"name": "#)
            #expect(malformed.status == 400 && malformed.json?["error"]?["code"] == .string("invalid_json"))
            // Nothing above changed what was stored.
            #expect(try await loupe.get("/api/prompts").json?["data"]?.arrayCount == 1)
        }
    }
}

private extension JSONValue {
    var arrayCount: Int? { if case .array(let items) = self { items.count } else { nil } }
}
