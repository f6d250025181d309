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
            let deadline = ContinuousClock.now + .seconds(1)
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
