import Foundation
import Logging
import LoupeCore
import LoupeRecorder
import ServiceLifecycle
import Synchronization
import Testing

/// An in-memory TraceStore that can be told to fail, to see what the writer does about it.
final class RecordingStore: TraceStore {
    private let state = Mutex<(traces: [Trace], batches: [Int], failuresLeft: Int)>(([], [], 0))

    func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }
    var batches: [Int] { state.withLock { $0.batches } }
    var stored: [Trace] { state.withLock { $0.traces } }

    func migrate() async throws {}
    func schemaStatus() async throws -> SchemaStatus { SchemaStatus(applied: [], pending: [], unknown: []) }
    func deleteTraces(createdBefore date: Date) async throws -> Int { 0 }
    func insert(_ traces: [Trace]) async throws {
        struct Unavailable: Error {}
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw Unavailable()
            }
            state.traces += traces
            state.batches.append(traces.count)
        }
    }
    func trace(id: String) async throws -> Trace? { stored.first { $0.id == id } }
    func traces(matching query: TraceQuery) async throws -> TracePage { TracePage(traces: stored, nextCursor: nil) }
    func costReport(_ query: CostReportQuery) async throws -> [CostReportRow] { [] }
    func guardrailReport(since: Date?, until: Date?) async throws -> [GuardrailReportRow] { [] }
    func rebuildCostRollups() async throws {}
    func count() async throws -> Int { stored.count }
    func ping() async throws {}
}

@Suite struct TraceWriterTests {
    func run(_ writer: TraceWriter, _ body: @Sendable () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func batchesAndFlushesEverythingOnShutdown() async throws {
        let store = RecordingStore()
        let queue = TraceQueue(capacity: 10_000)
        let writer = TraceWriter(queue: queue, store: store, configuration: .init(batchSize: 100, flushInterval: .seconds(60)), logger: Logger(label: "test"))
        try await run(writer) {
            for index in 0..<1_050 { await queue.enqueue(Trace(id: "t\(index)", endpoint: "/v1/x")) }
        }
        #expect(store.stored.map(\.id) == (0..<1_050).map { "t\($0)" })
        #expect(store.batches.allSatisfy { $0 <= 100 })
    }

    @Test func writesWithinTheFlushInterval() async throws {
        let store = RecordingStore()
        let queue = TraceQueue(capacity: 100)
        let writer = TraceWriter(queue: queue, store: store, configuration: .init(flushInterval: .milliseconds(50)), logger: Logger(label: "test"))
        try await run(writer) {
            await queue.enqueue(Trace(id: "one", endpoint: "/v1/x"))
            // One trace never fills a batch, so only the interval can write it; the generous deadline
            // keeps the test honest on a machine loaded by the process tests running alongside.
            let deadline = ContinuousClock.now + .seconds(30)
            while store.stored.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            #expect(store.stored.map(\.id) == ["one"])
        }
    }

    @Test func retriesAFailedBatchInsteadOfDroppingIt() async throws {
        let store = RecordingStore()
        store.failNext(3)
        let queue = TraceQueue(capacity: 100)
        let writer = TraceWriter(queue: queue, store: store, configuration: .init(flushInterval: .milliseconds(1), retryDelay: .milliseconds(1)), logger: Logger(label: "test"))
        try await run(writer) {
            for index in 0..<10 { await queue.enqueue(Trace(id: "t\(index)", endpoint: "/v1/x")) }
        }
        #expect(store.stored.count == 10)
    }

    @Test func fullQueueMakesProducersWaitRatherThanDrop() async throws {
        let queue = TraceQueue(capacity: 2)
        await queue.enqueue(Trace(id: "a", endpoint: "/"))
        await queue.enqueue(Trace(id: "b", endpoint: "/"))
        let third = Task { await queue.enqueue(Trace(id: "c", endpoint: "/")) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(queue.depth == 2)
        #expect(queue.take(maxCount: 1).map(\.id) == ["a"])
        await third.value
        #expect(queue.take(maxCount: 10).map(\.id) == ["b", "c"])
    }
}

@Suite struct TraceWriterSpoolTests {
    func spoolPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("loupe-spool-\(UUID().uuidString)/traces.spool").path
    }

    @Test func spoolsWhileTheStoreIsDownAndReplaysInOrderExactlyOnce() async throws {
        let store = RecordingStore()
        store.failNext(Int.max)
        let queue = TraceQueue(capacity: 100)
        let spool = try TraceSpool(path: spoolPath())
        let writer = TraceWriter(
            queue: queue, store: store, spool: spool,
            configuration: .init(batchSize: 10, flushInterval: .milliseconds(1), retryDelay: .milliseconds(20), maxRetryDelay: .milliseconds(50)),
            logger: Logger(label: "test")
        )
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0..<35 { await queue.enqueue(Trace(id: "t\(index)", endpoint: "/v1/x")) }
            // Every trace reaches the spool while the store refuses them; none is held in memory.
            try await waitUntil { spool.backlog == 35 }
            #expect(store.stored.isEmpty)
            #expect(queue.depth == 0)
            store.failNext(0)
            try await waitUntil { spool.backlog == 0 }
            #expect(store.stored.map(\.id) == (0..<35).map { "t\($0)" })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func newTracesQueueBehindTheBacklogSoOrderIsKept() async throws {
        let store = RecordingStore()
        let spool = try TraceSpool(path: spoolPath())
        try spool.append([Trace(id: "old1", endpoint: "/"), Trace(id: "old2", endpoint: "/")])
        let queue = TraceQueue(capacity: 100)
        let writer = TraceWriter(queue: queue, store: store, spool: spool, configuration: .init(flushInterval: .milliseconds(1)), logger: Logger(label: "test"))
        await queue.enqueue(Trace(id: "new", endpoint: "/"))
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitUntil { store.stored.count == 3 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(store.stored.map(\.id) == ["old1", "old2", "new"])
        #expect(spool.backlog == 0)
    }

    @Test func shutdownWithTheStoreDownLeavesTracesOnDiskForTheNextStart() async throws {
        let path = spoolPath()
        let store = RecordingStore()
        store.failNext(Int.max)
        let queue = TraceQueue(capacity: 100)
        let writer = TraceWriter(queue: queue, store: store, spool: try TraceSpool(path: path), configuration: .init(flushInterval: .milliseconds(1)), logger: Logger(label: "test"))
        for index in 0..<5 { await queue.enqueue(Trace(id: "t\(index)", endpoint: "/")) }
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(50))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(store.stored.isEmpty)
        let reopened = try TraceSpool(path: path)
        #expect(reopened.backlog == 5)
    }
}

/// A store whose writes never finish, as with a database that hangs.
final class HangingStore: TraceStore {
    func migrate() async throws {}
    func schemaStatus() async throws -> SchemaStatus { SchemaStatus(applied: [], pending: [], unknown: []) }
    func insert(_ traces: [Trace]) async throws { try await Task.sleep(for: .seconds(3600)) }
    func trace(id: String) async throws -> Trace? { nil }
    func traces(matching query: TraceQuery) async throws -> TracePage { TracePage(traces: [], nextCursor: nil) }
    func costReport(_ query: CostReportQuery) async throws -> [CostReportRow] { [] }
    func guardrailReport(since: Date?, until: Date?) async throws -> [GuardrailReportRow] { [] }
    func rebuildCostRollups() async throws {}
    func count() async throws -> Int { 0 }
    func deleteTraces(createdBefore date: Date) async throws -> Int { 0 }
    func ping() async throws {}
}

@Suite struct TraceWriterCancellationTests {
    @Test func aForcedStopSpoolsWhatIsQueuedInsteadOfLosingIt() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-spool-\(UUID().uuidString)").path
        let queue = TraceQueue(capacity: 100)
        let writer = TraceWriter(
            queue: queue, store: HangingStore(), spool: try TraceSpool(path: path),
            configuration: .init(batchSize: 2, flushInterval: .milliseconds(1), writeTimeout: .seconds(3600)), logger: Logger(label: "test")
        )
        for index in 0..<7 { await queue.enqueue(Trace(id: "t\(index)", endpoint: "/")) }
        let running = Task { try await writer.run() }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        try await running.value
        #expect(try TraceSpool(path: path).backlog == 7)
    }
}

@Suite struct TraceSpoolTests {
    @Test func keepsEveryFieldExactly() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-spool-\(UUID().uuidString)").path
        let created = Date(timeIntervalSince1970: 1_790_000_000.125)
        let full = Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai",
            model: "gpt-4o-mini", upstreamModel: "gpt-4o-mini-2024-07-18", stream: true, status: .error, statusCode: 502,
            error: "boom \"quoted\"\n", latencyMs: 12.25, ttftMs: 3.5,
            usage: TokenUsage(inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1),
            cost: USD(picos: 9_000_000_000_000_000_001), user: "alice", sessionID: "s1", tags: ["a", "b"],
            metadata: ["team": .string("search"), "n": .number(3)],
            request: #"{"b":1,"a":2}"#, response: "\"just a string\"", requestTruncated: true, responseTruncated: false,
            promptName: "support/reply", promptVersion: 2,
            guardrails: [GuardrailResult(direction: .input, check: "secrets", action: .block, category: "aws_access_key", count: 1)]
        )
        let bare = Trace(id: "bare", createdAt: created, endpoint: "/v1/models")
        let spool = try TraceSpool(path: path)
        try spool.append([full, bare])
        var read: [Trace] = []
        try await spool.forEachBatch { read += $0 }
        #expect(read == [full, bare])
        #expect(spool.backlog == 2)
        try spool.clear()
        #expect(spool.backlog == 0)
        #expect(try TraceSpool(path: path).backlog == 0)
    }

    @Test func aTornLastLineIsCutAndLaterAppendsStayReadable() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-spool-\(UUID().uuidString)").path
        try TraceSpool(path: path).append([Trace(id: "whole", endpoint: "/")])
        // A crash in the middle of writing a batch leaves a line without its newline.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"[{"id":"torn","endp"#.utf8))
        try handle.close()
        let spool = try TraceSpool(path: path)
        #expect(spool.backlog == 1)
        try spool.append([Trace(id: "after", endpoint: "/")])
        var ids: [String] = []
        try await spool.forEachBatch { ids += $0.map(\.id) }
        #expect(ids == ["whole", "after"])
    }
}

/// Polls `condition` for up to thirty seconds: generous, because the whole suite may load every core.
func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within 30 s")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}
