import Foundation
import LoupeConfig
import LoupeCore
import LoupeSQLite
import LoupeTestSupport
import NIOHTTP1
import Testing

/// Deployments, retries and fallbacks through a real Loupe and the fake upstream, whose `/status/N` and
/// `/delay/MS` base URLs make one provider fail or lag while another answers.
@Suite struct ProxyControllerForwardingTests {
    /// The fake's base URL with a control segment in front of `/v1`.
    static func controlled(_ upstream: RunningFakeUpstream, _ control: String) -> String {
        "http://127.0.0.1:\(upstream.port)/\(control)/v1"
    }

    /// `gpt-4o-mini` served first by `primary` (weight 1) then by the working fake (weight 0: fallback only).
    @discardableResult
    static func withFallback(
        primary: @escaping @Sendable (RunningFakeUpstream) -> String, retries: Int = 1, timeoutMs: Int? = nil, relay: Bool = true,
        _ body: @escaping @Sendable (LoupeHarness) async throws -> Void
    ) async throws -> SQLiteTraceStore {
        try await withLoupe(relay: relay, configure: { configuration, upstream in
            configuration.providers["primary"] = .init(baseURL: primary(upstream), apiKey: "sk-provider", timeoutMs: 10_000)
            configuration.models["gpt-4o-mini"] = .init(
                deployments: [.init(provider: "primary", weight: 1), .init(provider: "fake", weight: 0)], timeoutMs: timeoutMs, retries: retries
            )
        }, body)
    }

    @Test(arguments: [true, false]) func aFailingPrimaryIsRetriedThenFallsOverToTheSecondary(relay: Bool) async throws {
        try await Self.withFallback(primary: { Self.controlled($0, "status/503") }, relay: relay) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(reply.status == 200 && reply.json?["object"] == .string("chat.completion"))
            let paths = loupe.upstream.requests().map(\.path)
            #expect(paths == ["/status/503/v1/chat/completions", "/status/503/v1/chat/completions", "/v1/chat/completions"])
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["provider"] == .string("fake") && trace["status"] == .string("ok"))
            #expect(trace["cost_usd"] == .number(0.00000375))
            guard case .array(let attempts)? = trace["attempts"] else { Issue.record("no attempts in \(trace)"); return }
            #expect(attempts.count == 2)
            #expect(attempts.allSatisfy { $0["provider"] == .string("primary") && $0["status_code"] == .number(503) })
            #expect(attempts.first?["error"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(arguments: [true, false]) func anUnreachableDeploymentFallsOverAndSaysWhy(relay: Bool) async throws {
        // Port 1 on loopback refuses connections.
        try await Self.withFallback(primary: { _ in "http://127.0.0.1:1/v1" }, retries: 0, relay: relay) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#))
            #expect(reply.status == 200 && reply.body.contains("data: [DONE]"))
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["provider"] == .string("fake") && trace["stream"] == .bool(true))
            #expect(trace["output_tokens"] == .number(5))
            guard case .array(let attempts)? = trace["attempts"] else { Issue.record("no attempts"); return }
            #expect(attempts.count == 1 && attempts[0]["status_code"] == .null)
            #expect(attempts[0]["error"]?.stringValue?.contains("primary") == true)
        }
    }

    @Test(arguments: [true, false]) func retryAfterIsHonouredAndALongOneMovesOnAtOnce(relay: Bool) async throws {
        // Asked to wait 1 s: the second try on the same deployment comes no sooner.
        try await Self.withFallback(primary: { Self.controlled($0, "status/429") }, relay: relay) { loupe in
            let started = ContinuousClock.now
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-retry-after", "1")])
            #expect(reply.status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(950))
            #expect(loupe.upstream.requests().filter { $0.path.hasPrefix("/status/429") }.count == 2)
        }
        // Asked to wait a minute: not waited for; the next deployment answers.
        try await Self.withFallback(primary: { Self.controlled($0, "status/429") }, retries: 3, relay: relay) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-retry-after", "60")])
            #expect(reply.status == 200)
            #expect(loupe.upstream.requests().filter { $0.path.hasPrefix("/status/429") }.count == 1)
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["attempts"]?[0]?["status_code"] == .number(429))
        }
    }

    @Test(arguments: [true, false]) func whenEveryDeploymentFailsTheClientGetsTheLastProvidersAnswer(relay: Bool) async throws {
        try await withLoupe(relay: relay, configure: { configuration, upstream in
            configuration.providers["a"] = .init(baseURL: Self.controlled(upstream, "status/500"), apiKey: "sk-provider")
            configuration.providers["b"] = .init(baseURL: Self.controlled(upstream, "status/429"), apiKey: "sk-provider")
            configuration.models["gpt-4o-mini"] = .init(deployments: [.init(provider: "a"), .init(provider: "b", weight: 0)], retries: 0)
        }) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-retry-after", "30")])
            // The SDKs' own retry logic needs the provider's status and Retry-After unchanged.
            #expect(reply.status == 429 && reply.headers.first(name: "retry-after") == "30")
            #expect(reply.json?["error"]?["message"] != nil)
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["status"] == .string("error") && trace["provider"] == .string("b"))
            #expect(trace["attempts"]?[0]?["provider"] == .string("a") && trace["attempts"]?[0]?["status_code"] == .number(500))
        }
    }

    @Test(arguments: [true, false]) func aModelTimeoutBoundsEachAttempt(relay: Bool) async throws {
        try await withLoupe(relay: relay, configure: { configuration, upstream in
            configuration.providers["slow"] = .init(baseURL: Self.controlled(upstream, "delay/2000"), apiKey: "sk-provider", timeoutMs: 60_000)
            configuration.models["gpt-4o-mini"] = .init(deployments: [.init(provider: "slow")], timeoutMs: 300, retries: 0)
        }) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(reply.status == 504 && reply.json?["error"]?["code"] == .string("upstream_timeout"))
            #expect(reply.json?["error"]?["message"]?.stringValue?.contains("300") == true)
        }
    }

    @Test(arguments: [true, false]) func aClientErrorIsNotRetried(relay: Bool) async throws {
        try await Self.withFallback(primary: { Self.controlled($0, "status/400") }, retries: 2, relay: relay) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(reply.status == 400)
            #expect(loupe.upstream.requests().count == 1)
        }
    }

    @Test func aSplitSendsEachUserToOneSideAndTheTraceSaysWhich() async throws {
        try await withLoupe(configure: { configuration, _ in
            configuration.models["bot"] = .init(deployments: [], split: .init(champion: "gpt-4o-mini", challenger: "fast", percent: 50, sticky: .user))
        }) { loupe in
            var sides: [String: String] = [:]
            for index in 0..<40 {
                let user = "user-\(index % 10)"
                let reply = try await loupe.request("/v1/chat/completions", body: chatBody(model: "bot"), headers: [("x-loupe-user", user)])
                #expect(reply.status == 200)
                let trace = try await loupe.trace(try #require(reply.traceID))
                let variant = try #require(trace["variant"]?.stringValue)
                // The trace names the model that answered; the challenger `fast` is sent upstream as gpt-4o-mini.
                #expect(trace["model"] == .string(variant == "challenger" ? "fast" : "gpt-4o-mini"))
                #expect(JSONValue.parse(loupe.upstream.requests().last?.body ?? "")?["model"] == .string("gpt-4o-mini"))
                if let side = sides[user] { #expect(side == variant, "user \(user) changed sides") }
                sides[user] = variant
            }
            // Ten users at 50%: both sides are all but certain to appear (1 in 512 they do not); the hash is fixed,
            // so this outcome is the same on every run.
            #expect(Set(sides.values) == ["champion", "challenger"])
        }
    }
}
