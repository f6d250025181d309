import Foundation
import Hummingbird
import HummingbirdTesting
import LoupeCore
import LoupeRecorder
import LoupeSQLite
@testable import LoupeServer
import Testing

@Suite struct HealthControllerTests {
    @Test func readinessReportsTheStoreAndWhatWaitsToBeWritten() async throws {
        try await withLoupe { loupe in
            let health = try await loupe.get("/healthz")
            #expect(health.status == 200)
            let ready = try await loupe.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.json?["status"] == .string("ready"))
            #expect(ready.json?["store"] == .string("ok"))
            #expect(ready.json?["queued_traces"] == .number(0))
            #expect(ready.json?["spooled_traces"] == .number(0))
        }
    }
}

/// Readiness says no (503) when the store cannot be reached or the backlog is over its limit, and why.
@Suite struct HealthControllerReadinessTests {
    static func withHealth(
        store: any TraceStore, maxBacklog: Int, queued: Int = 0, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-health-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = TraceQueue(capacity: 100)
        for index in 0..<queued { await queue.enqueue(Trace(id: "t\(index)", endpoint: "/v1/x")) }
        let router = Router()
        // A ping may take long on a loaded machine; these tests are about the backlog and a store that refuses.
        HealthController<BasicRequestContext>(
            store: store, queue: queue, spool: try TraceSpool(path: folder.appendingPathComponent("traces.spool").path), maxBacklog: maxBacklog,
            pingTimeout: .seconds(30)
        ).addRoutes(to: router)
        try await Application(router: router).test(.router, body)
    }

    @Test func aBacklogOverTheLimitIsNotReady() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteTraceStore(path: folder.appendingPathComponent("loupe.db").path)
        try await Self.withHealth(store: store, maxBacklog: 3, queued: 3) { client in
            let (status, json, _) = try await client.getJSON("/readyz")
            #expect(status == 200 && json?["status"] == .string("ready") && json?["queued_traces"] == .number(3))
        }
        try await Self.withHealth(store: store, maxBacklog: 3, queued: 4) { client in
            let (status, json, _) = try await client.getJSON("/readyz")
            #expect(status == 503)
            #expect(json?["status"] == .string("backlogged") && json?["store"] == .string("ok"))
            #expect(json?["queued_traces"] == .number(4) && json?["max_backlog"] == .number(3))
        }
    }

    @Test func anUnreachableStoreIsNotReadyAndSaysSo() async throws {
        // Nothing listens on port 1: the PostgreSQL store's ping fails at once.
        let opened = try StoreFactory.open(url: "postgres://loupe@127.0.0.1:1/loupe", create: false)
        try await opened.withRunning { store in
            try await Self.withHealth(store: store, maxBacklog: 100) { client in
                let (status, json, _) = try await client.getJSON("/readyz")
                #expect(status == 503 && json?["status"] == .string("degraded") && json?["store"] == .string("unavailable"))
                #expect(json?["store_error"]?.stringValue?.isEmpty == false)
            }
        }
    }
}
