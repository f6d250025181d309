import Foundation
import LoupeCore
import LoupeSQLite
import LoupeTestSupport
import NIOHTTP1
import Testing

/// Chat requests that name a registry prompt: rendered by Loupe, sent upstream as plain messages.
@Suite struct ProxyControllerPromptsTests {
    static let greet = #"""
        {"name": "greet", "labels": ["production"], "config": {"model": "gpt-4o-mini", "temperature": 0.7, "owner": "growth"},
         "prompt": [{"role": "system", "content": "You work for {{company}}."}, {"role": "user", "content": "Greet {{name}}."}]}
        """#

    @Test func theUpstreamGetsRenderedMessagesAndTheTraceNamesTheVersion() async throws {
        let store = try await withLoupe { loupe in
            #expect(try await loupe.request("/api/prompts", body: Self.greet).status == 201)
            let reply = try await loupe.request("/v1/chat/completions", body: #"""
                {"temperature": 0, "messages": [{"role": "user", "content": "And say it twice."}],
                 "prompt": {"name": "greet", "variables": {"company": "Acme", "name": "Ann"}}}
                """#)
            #expect(reply.status == 200)
            let sent = try #require(JSONValue.parse(loupe.upstream.requests().last?.body ?? ""))
            #expect(sent["messages"] == .array([
                .object(["role": .string("system"), "content": .string("You work for Acme.")]),
                .object(["role": .string("user"), "content": .string("Greet Ann.")]),
                .object(["role": .string("user"), "content": .string("And say it twice.")]),
            ]))
            #expect(sent["model"] == .string("gpt-4o-mini"))  // from the prompt's config: the request had none
            #expect(sent["temperature"] == .number(0))  // the request's own value wins
            #expect(sent["prompt"] == nil && sent["owner"] == nil)  // not a request parameter: stays in the registry
            let trace = try await loupe.trace(try #require(reply.headers.first(name: "x-loupe-trace-id")))
            #expect(trace["prompt_name"] == .string("greet") && trace["prompt_version"] == .number(1))
            let report = try await loupe.get("/api/reports/cost?group_by=prompt")
            #expect(report.json?["data"]?.firstPrompt == "greet@1")
        }
        #expect(try await store.traces(matching: TraceQuery()).traces.first?.promptVersion == 1)
    }

    @Test func aNewVersionServesOnlyOnceLabelled() async throws {
        try await withLoupe { loupe in
            _ = try await loupe.request("/api/prompts", body: Self.greet)
            _ = try await loupe.request("/api/prompts", body: #"{"name": "greet", "prompt": [{"role": "user", "content": "Hi {{name}}, v2."}]}"#)
            let call = #"{"model": "gpt-4o-mini", "prompt": {"name": "greet", "variables": {"company": "A", "name": "Bo"}}}"#
            _ = try await loupe.request("/v1/chat/completions", body: call)
            #expect(JSONValue.parse(loupe.upstream.requests().last?.body ?? "")?["messages"]?.lastContent == "Greet Bo.")
            _ = try await loupe.request("/api/prompts/greet/versions/2", method: .PATCH, body: #"{"labels": ["production"]}"#)
            _ = try await loupe.request("/v1/chat/completions", body: call)
            #expect(JSONValue.parse(loupe.upstream.requests().last?.body ?? "")?["messages"]?.lastContent == "Hi Bo, v2.")
            // An explicit version still reaches the old one.
            _ = try await loupe.request("/v1/chat/completions", body: #"{"prompt": {"name": "greet", "version": 1, "variables": {"company": "A", "name": "Cy"}}}"#)
            #expect(JSONValue.parse(loupe.upstream.requests().last?.body ?? "")?["messages"]?.lastContent == "Greet Cy.")
        }
    }

    @Test func unknownPromptsAndMissingVariablesAreOpenAIErrors() async throws {
        try await withLoupe { loupe in
            _ = try await loupe.request("/api/prompts", body: Self.greet)
            let before = loupe.upstream.requests().count
            let unknown = try await loupe.request("/v1/chat/completions", body: #"{"prompt": {"name": "nope"}}"#)
            #expect(unknown.status == 404 && unknown.json?["error"]?["code"] == .string("prompt_not_found"))
            #expect(unknown.json?["error"]?["message"]?.stringValue?.contains("'nope'") == true)
            let label = try await loupe.request("/v1/chat/completions", body: #"{"prompt": {"name": "greet", "label": "staging"}}"#)
            #expect(label.status == 404 && label.json?["error"]?["message"]?.stringValue?.contains("label 'staging'") == true)
            let missing = try await loupe.request("/v1/chat/completions", body: #"{"prompt": {"name": "greet", "variables": {}}}"#)
            #expect(missing.status == 400 && missing.json?["error"]?["message"]?.stringValue?.contains("company, name") == true)
            let bad = try await loupe.request("/v1/chat/completions", body: #"{"prompt": {"name": "greet", "version": "one"}}"#)
            #expect(bad.status == 400 && bad.json?["error"]?["param"] == .string("prompt.version"))
            #expect(loupe.upstream.requests().count == before)  // none of them reached the provider
        }
    }
}

private extension JSONValue {
    var firstPrompt: String? { if case .array(let rows) = self { rows.first?["prompt"]?.stringValue } else { nil } }
    var lastContent: String? { if case .array(let messages) = self { messages.last?["content"]?.stringValue } else { nil } }
}
