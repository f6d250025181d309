import AsyncHTTPClient
import Foundation
import LoupeCore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Budgets and rate limits with auth on, across two real `loupe serve` processes sharing one PostgreSQL.
@Suite struct SharedGatewayTests {
    static let master = "mk-shared-gateway-0123456789abcdef0123"

    /// One answer: its status, `Retry-After` and error code.
    struct Answer: Sendable {
        var status: Int
        var retryAfter: Int?
        var json: JSONValue?
        var code: String? { json?["error"]?["code"]?.stringValue }
    }

    static func request(_ instance: LoupeInstance, _ path: String, bearer: String, body: String, method: HTTPMethod = .POST, http: HTTPClient) async throws -> Answer {
        var request = HTTPClientRequest(url: instance.baseURL + path)
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer \(bearer)")
        if method == .POST { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return Answer(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after").flatMap(Int.init), json: JSONValue.parse(String(buffer: answer))
        )
    }

    static func call(_ instance: LoupeInstance, key: String, http: HTTPClient) async throws -> Answer {
        try await request(instance, "/v1/chat/completions", bearer: key, body: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}"#, http: http)
    }

    /// Makes a key with the master key; returns its id and secret.
    static func createKey(_ instance: LoupeInstance, _ body: String, http: HTTPClient) async throws -> (id: String, secret: String) {
        let answer = try await request(instance, "/api/keys", bearer: master, body: body, http: http)
        #expect(answer.status == 201, "\(String(describing: answer.json))")
        return (try #require(answer.json?["id"]?.stringValue), try #require(answer.json?["key"]?.stringValue))
    }

    @Test(
        "Two instances on one PostgreSQL: a key's budget and its RPM hold across both",
        .enabled(if: TestPostgresCluster.isAvailable, "needs PostgreSQL server binaries; .ci/postgres installs them"),
        .timeLimit(.minutes(3))
    )
    func budgetsAndRateLimitsHoldAcrossInstances() async throws {
        let folder = testFolder("shared-gateway")
        let cluster = try TestPostgresCluster.start()
        defer { cluster.destroy() }
        let storeURL = try cluster.createDatabase("loupe")
        try await withHTTPClient { http in
            let (upstream, upstreamPort) = try await startFakeUpstream(folder: folder, http: http)
            let auth = ["LOUPE_MASTER_KEY": Self.master]
            async let startA = LoupeInstance.start(storeURL: storeURL, upstreamPort: upstreamPort, folder: folder.appendingPathComponent("a"), environment: auth, http: http)
            async let startB = LoupeInstance.start(storeURL: storeURL, upstreamPort: upstreamPort, folder: folder.appendingPathComponent("b"), environment: auth, http: http)
            let (a, b) = try await (startA, startB)
            let instances = [a, b]

            // Each call costs $0.00000375, so the tiny budget affords about 27 calls, shared by both instances.
            let budget = 0.0001
            let (tinyID, tiny) = try await Self.createKey(a, #"{"name": "tiny", "budget_usd": "0.0001", "period": "day"}"#, http: http)
            let (_, large) = try await Self.createKey(b, #"{"name": "large", "budget_usd": 100}"#, http: http)
            let (_, paced) = try await Self.createKey(a, #"{"name": "paced", "rpm": 6}"#, http: http)

            // The tiny key, alternately on each instance every 100 ms, until both refuse it.
            var refusedOn: Set<Int> = []
            var accepted = 0
            var call = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while refusedOn.count < 2, ContinuousClock.now < deadline {
                let answer = try await Self.call(instances[call % 2], key: tiny, http: http)
                if answer.status == 200 {
                    accepted += 1
                } else {
                    #expect(answer.status == 429 && answer.code == "budget_exceeded", "\(String(describing: answer.json))")
                    refusedOn.insert(call % 2)
                }
                call += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(refusedOn == [0, 1], "the tiny key was refused only on \(refusedOn) after \(accepted) calls")
            // Spend stops within the documented bound: a call costs about $0.0000037, and the instance that did
            // not make a call sees it within about a second (its re-read plus the writer's batch delay); at one
            // call per 200 ms on each instance that is a handful of calls, bounded here by 10. Each call counts
            // once, so the key is not refused before it has spent its budget.
            for instance in instances { try await instance.waitUntilDrained(http: http) }
            let shown = try await Self.request(a, "/api/keys/\(tinyID)", bearer: Self.master, body: "", method: .GET, http: http)
            let spent = try #require(shown.json?["spent_usd"]?.stringValue.flatMap(Double.init))
            #expect(spent >= budget && spent < budget + 10 * 0.00000375, "spent \(spent) of \(budget) in \(accepted) calls")
            // Another key goes on, on both instances.
            for instance in instances {
                for _ in 0..<3 { #expect(try await Self.call(instance, key: large, http: http).status == 200) }
            }

            // The paced key (6 a minute): a call every 500 ms, alternately on each instance, for 30 s. Alone, each
            // instance would admit its own 6 plus 3 refilled (18 in all); shared, both admit the key's 6 plus 3
            // refilled, plus the overshoot: what one instance admits before the other's use reaches it (about two
            // sync intervals, 3 s with slack, at one call a second on each instance: 3).
            var admitted = [0, 0]
            var refusals = [0, 0]
            let started = ContinuousClock.now
            var index = 0
            while ContinuousClock.now - started < .seconds(30) {
                let answer = try await Self.call(instances[index % 2], key: paced, http: http)
                if answer.status == 200 {
                    admitted[index % 2] += 1
                } else {
                    #expect(answer.status == 429 && answer.code == "rate_limit_exceeded", "\(String(describing: answer.json))")
                    #expect((answer.retryAfter ?? 0) >= 1, "429 without Retry-After")
                    refusals[index % 2] += 1
                }
                index += 1
                try await Task.sleep(for: .milliseconds(500))
            }
            let total = admitted.reduce(0, +)
            #expect(total >= 6 && total <= 6 + 3 + 3, "admitted \(admitted) (A, B) of \(index) calls; refused \(refusals)")
            #expect(admitted.allSatisfy { $0 > 0 } && refusals.allSatisfy { $0 > 0 }, "admitted \(admitted), refused \(refusals)")

            for instance in instances {
                instance.process.signal(SIGTERM)
                #expect(await instance.process.waitForExit() == 0, "\(instance.process.logTail)")
            }
            upstream.signal(SIGTERM)
        }
    }
}
