import Foundation
import LoupeConfig
import LoupeCore
import LoupeSQLite
import LoupeTestSupport
import Testing

/// Shadow copies: sent off the response path to another model, recorded as linked traces, never returned.
@Suite struct ProxyControllerShadowTests {
    /// Polls the trace list until a shadow trace of `parent` is stored.
    static func shadowTrace(of parent: String, _ loupe: LoupeHarness, within limit: Duration = .seconds(10)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + limit
        while true {
            let reply = try await loupe.get("/api/traces?parent_trace_id=\(parent)")
            if case .array(let traces)? = reply.json?["data"], let shadow = traces.first { return shadow }
            if ContinuousClock.now > deadline { throw HarnessError("no shadow trace of \(parent) within \(limit)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aShadowCopyIsRecordedAndLinkedButNeverReturned() async throws {
        try await withLoupe(configure: { configuration, upstream in
            // The shadow's provider takes three seconds to answer; the client must not wait for it.
            configuration.providers["shadow-host"] = .init(baseURL: "http://127.0.0.1:\(upstream.port)/delay/3000/v1", apiKey: "sk-provider")
            configuration.models["shadow-mini"] = .init(provider: "shadow-host", upstreamModel: "gpt-4o")
            configuration.models["gpt-4o-mini"] = .init(deployments: [.init(provider: "fake")], shadow: .init(model: "shadow-mini"))
        }) { loupe in
            let reply = try await loupe.request(
                "/v1/chat/completions", body: chatBody(), headers: [("x-loupe-user", "ada"), ("x-loupe-tags", "checkout")]
            )
            #expect(reply.status == 200 && reply.json?["model"] == .string("gpt-4o-mini-2024-07-18"))
            let parent = try #require(reply.traceID)
            let primary = try await loupe.trace(parent)
            #expect(primary["variant"] == .null && primary["parent_trace_id"] == .null)
            // The client has its answer and its trace while the shadow still waits on its provider.
            let early = try await loupe.get("/api/traces?parent_trace_id=\(parent)")
            #expect(early.json?["data"] == .array([]))

            let shadow = try await Self.shadowTrace(of: parent, loupe)
            #expect(shadow["variant"] == .string("shadow") && shadow["model"] == .string("shadow-mini"))
            #expect(shadow["provider"] == .string("shadow-host") && shadow["status"] == .string("ok"))
            // Tags and session travel with the copy; the user and key do not, so no budget pays for the experiment.
            #expect(shadow["user"] == .null && shadow["key_id"] == .null && shadow["tags"] == .array([.string("checkout")]))
            #expect(shadow["cost_usd"] == .number(0.0000625))  // gpt-4o: 5 × $2.50 + 5 × $10 per million tokens
            let sent = loupe.upstream.requests().filter { $0.path.hasPrefix("/delay/3000") }
            #expect(sent.count == 1 && JSONValue.parse(sent[0].body)?["model"] == .string("gpt-4o"))
            #expect(sent[0].headers["authorization"] == "Bearer sk-provider")
        }
    }

    @Test func aStreamedCallIsShadowedAsAStreamAndShutdownSendsQueuedCopies() async throws {
        let store = try await withLoupe(configure: { configuration, upstream in
            configuration.providers["shadow-host"] = .init(baseURL: "http://127.0.0.1:\(upstream.port)/delay/500/v1", apiKey: "sk-provider")
            configuration.models["shadow-mini"] = .init(provider: "shadow-host", upstreamModel: "gpt-4o-mini")
            configuration.models["gpt-4o-mini"] = .init(deployments: [.init(provider: "fake")], shadow: .init(model: "shadow-mini"))
        }) { loupe in
            for _ in 0..<3 {
                let reply = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#))
                #expect(reply.status == 200 && reply.body.contains("data: [DONE]"))
            }
            // The server stops now, while the copies still wait on their slow provider.
        }
        let traces = try await store.traces(matching: TraceQuery(limit: 100)).traces
        let shadows = traces.filter { $0.variant == "shadow" }
        #expect(traces.count == 6 && shadows.count == 3)
        #expect(shadows.allSatisfy { $0.stream && $0.ttftMs != nil && $0.usage.outputTokens == 5 && $0.parentTraceID != nil })
        #expect(Set(shadows.compactMap(\.parentTraceID)) == Set(traces.filter { $0.variant == nil }.map(\.id)))
    }
}
