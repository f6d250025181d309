import AsyncHTTPClient
import Foundation
import LoupeCore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with an HTTP client for the test, shut down afterwards.
func withHTTPClient<Result: Sendable>(_ body: (HTTPClient) async throws -> Result) async throws -> Result {
    var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2)))
    configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
    let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    do {
        let result = try await body(http)
        try await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}

func testFolder(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(name)-\(UUID().uuidString.prefix(8))")
}

/// The total of `requests` over every row of a cost report.
func reportedRequests(_ report: JSONValue) -> Int {
    guard case .array(let rows)? = report["data"] else { return -1 }
    return rows.reduce(0) { total, row in
        if case .number(let requests)? = row["requests"] { return total + Int(requests) }
        return total
    }
}

/// Polls `condition` until it holds, recording an issue if it does not within `limit`.
func expectWithin(_ limit: Duration, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else {
            Issue.record("not true within \(limit)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(100))
    }
}

@Suite struct SharedStoreTests {
    @Test(
        "Two instances on one PostgreSQL both record, each reports every call, and prompt changes reach both",
        .enabled(if: TestPostgresCluster.isAvailable, "needs PostgreSQL server binaries; .ci/postgres installs them"),
        .timeLimit(.minutes(2))
    )
    func twoInstancesShareOnePostgres() async throws {
        let folder = testFolder("shared")
        let cluster = try TestPostgresCluster.start()
        defer { cluster.destroy() }
        let storeURL = try cluster.createDatabase("loupe")
        try await withHTTPClient { http in
            let (upstream, upstreamPort) = try await startFakeUpstream(folder: folder, http: http)
            // Started together, so both migrate the empty database at once.
            async let startA = LoupeInstance.start(storeURL: storeURL, upstreamPort: upstreamPort, folder: folder.appendingPathComponent("a"), http: http)
            async let startB = LoupeInstance.start(storeURL: storeURL, upstreamPort: upstreamPort, folder: folder.appendingPathComponent("b"), http: http)
            let (a, b) = try await (startA, startB)

            let load = LoadGenerator(targets: [a.baseURL, b.baseURL])
            let running = Task { await load.run(clients: 8, http: http) }
            try await load.waitForSuccesses(200)
            load.stop()
            await running.value
            #expect(load.failures.isEmpty, "failed calls: \(load.failures.prefix(3))")

            let sent = Set(load.successes.map(\.traceID))
            #expect(sent.count == load.successes.count, "trace ids collided")
            #expect(sent.count > 50)
            for instance in [a, b] { try await instance.waitUntilDrained(http: http) }
            for instance in [a, b] {
                #expect(reportedRequests(try await instance.get("/api/reports/cost?group_by=provider", http: http)) == sent.count)
                #expect(Set(try await instance.allTraceIDs(http: http)) == sent)
            }
            // A prompt pushed and relabelled through one instance is served by the other within 5 s.
            let prompt = #"{"name": "shared", "labels": ["production"], "prompt": [{"role": "user", "content": "v1 for {{who}}"}]}"#
            #expect(try await a.send("/api/prompts", prompt, http: http).0 == 201)
            let call = #"{"model": "gpt-4o-mini", "prompt": {"name": "shared", "variables": {"who": "B"}}}"#
            try await expectWithin(.seconds(5)) { try await b.send("/v1/chat/completions", call, http: http).0 == 200 }
            _ = try await a.send("/api/prompts", #"{"name": "shared", "prompt": [{"role": "user", "content": "v2 for {{who}}"}]}"#, http: http)
            // B has v1 cached as production; moving the label through A must reach it.
            #expect(try await a.send("/api/prompts/shared/versions/2", #"{"labels": ["production"]}"#, method: .PATCH, http: http).0 == 200)
            try await expectWithin(.seconds(5)) {
                guard try await b.send("/v1/chat/completions", call, http: http).0 == 200 else { return false }
                let latest = try await b.get("/api/traces?limit=1", http: http)
                guard case .array(let traces)? = latest["data"] else { return false }
                return traces.first?["prompt_version"] == .number(2)
            }
            for instance in [a, b] {
                instance.process.signal(SIGTERM)
                #expect(await instance.process.waitForExit() == 0, "\(instance.process.logTail)")
            }
            upstream.signal(SIGTERM)
        }
    }
}
