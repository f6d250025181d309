import AsyncHTTPClient
import Foundation
import LoupeCore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct StoreOutageTests {
    @Test(
        "PostgreSQL stopped mid-load and started again: every 2xx call has its trace, none twice",
        .enabled(if: TestPostgresCluster.isAvailable, "needs PostgreSQL server binaries; .ci/postgres installs them"),
        .timeLimit(.minutes(3))
    )
    func postgresOutageLosesNothing() async throws {
        let folder = testFolder("outage")
        let cluster = try TestPostgresCluster.start()
        defer { cluster.destroy() }
        let storeURL = try cluster.createDatabase("loupe")
        try await withHTTPClient { http in
            let (upstream, upstreamPort) = try await startFakeUpstream(folder: folder, http: http)
            let loupe = try await LoupeInstance.start(storeURL: storeURL, upstreamPort: upstreamPort, folder: folder.appendingPathComponent("loupe"), http: http)

            let load = LoadGenerator(targets: [loupe.baseURL])
            let running = Task { await load.run(clients: 8, http: http) }
            try await load.waitForSuccesses(100)
            try cluster.stopServer()
            let stoppedAt = load.successes.count
            // The proxy keeps answering while the store is down, and /readyz says how much waits on disk.
            var during = JSONValue.null
            let outageEnds = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < outageEnds {
                during = try await loupe.readiness(http: http)
                if during["status"]?.stringValue == "degraded", case .number(let spooled)? = during["spooled_traces"], spooled > 0 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(during["status"]?.stringValue == "degraded")
            #expect(during["store"]?.stringValue == "unavailable")
            #expect((during["spooled_traces"].flatMap { if case .number(let n) = $0 { n } else { nil } } ?? 0) > 0, "\(during)")
            try await Task.sleep(until: outageEnds)
            #expect(load.successes.count > stoppedAt + 20)
            try cluster.startServer()
            try await Task.sleep(for: .seconds(1.5))
            load.stop()
            await running.value
            #expect(load.failures.isEmpty, "failed calls: \(load.failures.prefix(3))")

            try await loupe.waitUntilDrained(http: http)
            let sent = Set(load.successes.map(\.traceID))
            let reported = reportedRequests(try await loupe.get("/api/reports/cost?group_by=provider", http: http))
            #expect(reported == sent.count, "the report counts \(reported) calls; \(sent.count) were answered")
            let stored = Set(try await loupe.allTraceIDs(http: http))
            #expect(stored == sent, "\(sent.subtracting(stored).count) answered calls have no trace; \(stored.subtracting(sent).count) traces were not answered calls; the process said:\n\(loupe.process.logTail)")
            loupe.process.signal(SIGTERM)
            #expect(await loupe.process.waitForExit() == 0, "\(loupe.process.logTail)")
            upstream.signal(SIGTERM)
        }
    }
}
