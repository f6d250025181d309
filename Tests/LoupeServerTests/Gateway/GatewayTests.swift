import Foundation
import LoupeConfig
import LoupeCore
import LoupeServer
import LoupeTestSupport
import HummingbirdTesting
import NIOHTTP1
import Testing

/// Keys, budgets and rate limits with auth on: a real Loupe on a real socket, the fake upstream, a real SQLite file.
@Suite struct GatewayTests {
    static let master = "mk-0123456789abcdef0123456789abcdef"

    static func withAuth(_ configure: @escaping @Sendable (inout LoupeConfiguration) -> Void = { _ in }, _ body: @escaping @Sendable (LoupeHarness) async throws -> Void) async throws -> LoupeStoreHandle {
        LoupeStoreHandle(store: try await withLoupe(configure: { configuration, _ in
            configuration.masterKey = master
            configure(&configuration)
        }, body))
    }

    /// Makes a key through the API with the master key; returns its id and secret.
    static func createKey(_ loupe: LoupeHarness, _ body: String) async throws -> (id: String, secret: String) {
        let reply = try await loupe.request("/api/keys", body: body, headers: [("authorization", "Bearer \(master)")])
        #expect(reply.status == 201, "\(reply.body)")
        let json = try #require(reply.json)
        return (try #require(json["id"]?.stringValue), try #require(json["key"]?.stringValue))
    }

    /// Polls the query API, with the master key, until the trace is readable.
    static func trace(_ loupe: LoupeHarness, _ id: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let reply = try await loupe.request("/api/traces/\(id)", method: .GET, headers: [("authorization", "Bearer \(master)")])
            if reply.status == 200, let json = reply.json { return json }
            if ContinuousClock.now > deadline { throw HarnessError("trace \(id) was not readable: \(reply.status) \(reply.body)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func call(_ loupe: LoupeHarness, key: String, model: String = "gpt-4o-mini", headers: [(String, String)] = []) async throws -> LoupeHarness.Reply {
        try await loupe.request("/v1/chat/completions", body: chatBody(model: model), headers: [("authorization", "Bearer \(key)")] + headers)
    }

    @Test func callsNeedAKeyAndTracesNameIt() async throws {
        let handle = try await Self.withAuth { loupe in
            let none = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("authorization", "")])
            #expect(none.status == 401 && none.json?["error"]?["code"] == .string("missing_api_key"))
            let wrong = try await Self.call(loupe, key: "lk-not-a-key-at-all")
            #expect(wrong.status == 401 && wrong.json?["error"]?["code"] == .string("invalid_api_key"))
            #expect(wrong.body.contains("lk-not") && !wrong.body.contains("lk-not-a-key-at-all"))  // never echoed whole
            #expect(loupe.upstream.requests().isEmpty)

            let (id, secret) = try await Self.createKey(loupe, #"{"name": "search-app"}"#)
            #expect(secret.hasPrefix("lk-") && secret.count == 51)
            let ok = try await Self.call(loupe, key: secret)
            #expect(ok.status == 200)
            // The provider gets the provider's key, never the client's.
            #expect(loupe.upstream.requests().last?.headers["authorization"] == "Bearer sk-provider")
            let trace = try await Self.trace(loupe, try #require(ok.traceID))
            #expect(trace["key_id"] == .string(id) && trace["key_name"] == .string("search-app"))

            // Listed without its secret or hash.
            let list = try await loupe.request("/api/keys", method: .GET, headers: [("authorization", "Bearer \(Self.master)")])
            #expect(list.status == 200 && list.json?["data"]?.arrayValue?.first?["key"] == nil)
            #expect(!list.body.contains(secret) && !list.body.contains(KeyMint.hash(secret)))

            // Revoked: refused at once.
            let revoked = try await loupe.request("/api/keys/\(id)/revoke", body: "", headers: [("authorization", "Bearer \(Self.master)")])
            #expect(revoked.status == 200 && revoked.json?["revoked_at"]?.stringValue != nil)
            let after = try await Self.call(loupe, key: secret)
            #expect(after.status == 401 && after.body.contains("revoked"))
        }
        // Only the hash is stored.
        let stored = try #require(try await handle.store.keys().first)
        #expect(stored.name == "search-app" && stored.keyHash.count == 64 && stored.revokedAt != nil)
    }

    @Test func rotatingAKeyRetiresTheOldSecret() async throws {
        _ = try await Self.withAuth { loupe in
            let (id, old) = try await Self.createKey(loupe, #"{"name": "batch"}"#)
            let rotated = try await loupe.request("/api/keys/\(id)/rotate", body: "", headers: [("authorization", "Bearer \(Self.master)")])
            let new = try #require(rotated.json?["key"]?.stringValue)
            #expect(new != old)
            #expect(try await Self.call(loupe, key: old).status == 401)
            #expect(try await Self.call(loupe, key: new).status == 200)
        }
    }

    @Test func aKeyCallsOnlyItsModelsAndExpires() async throws {
        _ = try await Self.withAuth { loupe in
            let (_, secret) = try await Self.createKey(loupe, #"{"name": "narrow", "models": ["fast"]}"#)
            let denied = try await Self.call(loupe, key: secret, model: "gpt-4o")
            #expect(denied.status == 403 && denied.json?["error"]?["code"] == .string("model_not_allowed"))
            #expect(try await Self.call(loupe, key: secret, model: "fast").status == 200)
            let (_, brief) = try await Self.createKey(loupe, #"{"name": "brief", "expires": "1s"}"#)
            #expect(try await Self.call(loupe, key: brief).status == 200)
            try await Task.sleep(for: .milliseconds(1_100))
            let expired = try await Self.call(loupe, key: brief)
            #expect(expired.status == 401 && expired.body.contains("expired"))
            let bad = try await loupe.request("/api/keys", body: #"{"name": "x", "expires": "yesterday"}"#, headers: [("authorization", "Bearer \(Self.master)")])
            #expect(bad.status == 400 && bad.json?["error"]?["param"] == .string("expires"))
            let taken = try await loupe.request("/api/keys", body: #"{"name": "narrow"}"#, headers: [("authorization", "Bearer \(Self.master)")])
            #expect(taken.status == 409)
        }
    }

    @Test func oneKeyRunsOutOfBudgetWhileAnotherGoesOn() async throws {
        let handle = try await Self.withAuth { loupe in
            // Each call costs $0.00000375 (5 input and 5 output tokens of gpt-4o-mini): the small key affords two.
            let (_, small) = try await Self.createKey(loupe, #"{"name": "small", "budget_usd": "0.000005", "period": "day"}"#)
            let (_, large) = try await Self.createKey(loupe, #"{"name": "large", "budget_usd": 1}"#)
            #expect(try await Self.call(loupe, key: small).status == 200)
            #expect(try await Self.call(loupe, key: small).status == 200)
            let refused = try await Self.call(loupe, key: small)
            #expect(refused.status == 429 && refused.json?["error"]?["code"] == .string("budget_exceeded"), "\(refused.body)")
            for _ in 0..<3 { #expect(try await Self.call(loupe, key: large).status == 200) }
            let report = try await loupe.request("/api/reports/cost?group_by=key", method: .GET, headers: [("authorization", "Bearer \(Self.master)")])
            #expect(report.status == 200, "\(report.body)")
        }
        // The refused call never reached the provider, and the report groups spend by key.
        let rows = try await handle.store.costReport(CostReportQuery(groupBy: .key))
        #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.requests) }) == ["small": 3, "large": 3])
        #expect(rows.first { $0.key == "small" }?.costUSD == Decimal(string: "0.0000075"))
    }

    @Test func eachUserHasABudgetOfTheirOwn() async throws {
        _ = try await Self.withAuth({ $0.userBudget = .init(usd: Decimal(string: "0.000003")!, period: .month) }) { loupe in
            let (_, key) = try await Self.createKey(loupe, #"{"name": "shared"}"#)
            #expect(try await Self.call(loupe, key: key, headers: [("x-loupe-user", "ann")]).status == 200)
            let refused = try await Self.call(loupe, key: key, headers: [("x-loupe-user", "ann")])
            #expect(refused.status == 429 && refused.body.contains("'ann'"))
            #expect(try await Self.call(loupe, key: key, headers: [("x-loupe-user", "bo")]).status == 200)
        }
    }

    @Test func aKeyOverItsRequestRateGets429WithRetryAfter() async throws {
        _ = try await Self.withAuth { loupe in
            let (_, key) = try await Self.createKey(loupe, #"{"name": "slow", "rpm": 2}"#)
            #expect(try await Self.call(loupe, key: key).status == 200)
            #expect(try await Self.call(loupe, key: key).status == 200)
            let limited = try await Self.call(loupe, key: key)
            #expect(limited.status == 429 && limited.json?["error"]?["code"] == .string("rate_limit_exceeded"))
            let retryAfter = try #require(limited.headers.first(name: "retry-after").flatMap(Int.init))
            #expect((1...30).contains(retryAfter))
        }
    }

    @Test func modelTokenLimitsHoldAcrossKeys() async throws {
        _ = try await Self.withAuth({ $0.models["fast"] = .init(provider: "fake", upstreamModel: "gpt-4o-mini", tpm: 15) }) { loupe in
            let (_, a) = try await Self.createKey(loupe, #"{"name": "a"}"#)
            let (_, b) = try await Self.createKey(loupe, #"{"name": "b"}"#)
            // 10 tokens a call: the first leaves 5 of 15, the second goes into debt, the third waits.
            #expect(try await Self.call(loupe, key: a, model: "fast").status == 200)
            #expect(try await Self.call(loupe, key: b, model: "fast").status == 200)
            let limited = try await Self.call(loupe, key: a, model: "fast")
            #expect(limited.status == 429 && limited.body.contains("tokens per minute for model 'fast'"))
        }
    }

    @Test func theAdminAPIsTakeTheMasterKeyOrAReadKey() async throws {
        _ = try await Self.withAuth { loupe in
            let anonymous = try await loupe.request("/api/traces", method: .GET, headers: [("authorization", "")])
            #expect(anonymous.status == 401)
            let (_, proxyOnly) = try await Self.createKey(loupe, #"{"name": "app"}"#)
            let (_, reader) = try await Self.createKey(loupe, #"{"name": "dashboard", "scopes": ["read"]}"#)
            #expect(try await loupe.request("/api/traces", method: .GET, headers: [("authorization", "Bearer \(proxyOnly)")]).status == 403)
            #expect(try await loupe.request("/api/traces", method: .GET, headers: [("authorization", "Bearer \(reader)")]).status == 200)
            #expect(try await loupe.request("/api/keys", method: .GET, headers: [("authorization", "Bearer \(reader)")]).status == 403)
            #expect(try await loupe.request("/api/prompts", body: "{}", headers: [("authorization", "Bearer \(reader)")]).status == 403)
            // MLflow's routes answer in MLflow's shape, which its client reads.
            let mlflow = try await loupe.request("/api/2.0/mlflow/experiments/search", body: "{}", headers: [("authorization", "")])
            #expect(mlflow.status == 401 && mlflow.json?["error_code"] == .string("UNAUTHENTICATED"))
            #expect(try await loupe.request("/api/2.0/mlflow/experiments/search", body: "{}", headers: [("authorization", "Bearer \(Self.master)")]).status == 200)
            // Health stays open for load balancers.
            #expect(try await loupe.request("/healthz", method: .GET, headers: [("authorization", "")]).status == 200)
        }
    }

    @Test func aWeakMasterKeyOrAnOpenPortWithoutAuthStopsTheStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-auth-\(UUID().uuidString)").path
        let store = LoupeConfiguration.Store(url: "sqlite:\(directory)/loupe.db", spoolPath: "\(directory)/traces.spool")
        var weak = LoupeConfiguration(store: store)
        weak.masterKey = "too-short"
        await #expect {
            _ = try await buildApplication(configuration: weak)
        } throws: { error in
            "\(error)".contains("at least 32")
        }
        var open = LoupeConfiguration(server: .init(host: "0.0.0.0"), store: store)
        await #expect {
            _ = try await buildApplication(configuration: open)
        } throws: { error in
            "\(error)".contains("--insecure-public")
        }
        // Both ways out start; run briefly, so that their services shut down cleanly.
        open.server.insecurePublic = true
        open.server.port = 0
        try await buildApplication(configuration: open).test(.live) { _ in }
        open.server.insecurePublic = false
        open.masterKey = Self.master
        try await buildApplication(configuration: open).test(.live) { _ in }
    }
}

/// The store `withLoupe` hands back, for checks after the server stopped.
struct LoupeStoreHandle: Sendable {
    let store: any LoupeStore
}
