import DequeModule
import LoupeCore
import Synchronization

/// A bounded, many-producer, one-consumer queue of traces between the request path and the writer.
///
/// Enqueueing takes a lock and appends; it suspends only when the queue is full, which pushes
/// back on callers instead of dropping traces.
public final class TraceQueue: Sendable {
    fileprivate struct State {
        var items: Deque<Trace> = []
        var finished = false
        var consumer: CheckedContinuation<Void, Never>?
        /// The consumer waiting for a full batch, and the depth that counts as full.
        var batchWaiter: (continuation: CheckedContinuation<Void, Never>, size: Int)?
        var blockedProducers: Deque<CheckedContinuation<Void, Never>> = []
        /// Taken by the writer and not yet stored or spooled.
        var inFlight = 0
    }

    private let state = Mutex(State())
    /// The most traces held before producers wait.
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "a trace queue needs room for at least one trace")
        self.capacity = capacity
    }

    /// How many traces are waiting to be written.
    public var depth: Int { state.withLock { $0.items.count } }

    /// Traces not yet stored or spooled: those waiting and those the writer is writing. Zero means drained.
    public var unwritten: Int { state.withLock { $0.items.count + $0.inFlight } }

    /// The writer is done with `count` traces it took: stored, spooled, or given up.
    public func settled(_ count: Int) {
        state.withLock { $0.inFlight = max(0, $0.inFlight - count) }
    }

    /// Adds a trace, waiting while the queue is full. After `finish()` the trace is still accepted.
    public func enqueue(_ trace: Trace) async {
        while true {
            if tryEnqueue(trace) { return }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.items.count < capacity || state.finished { return true }
                    state.blockedProducers.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Adds a trace if there is room; false when the queue is full and the caller must `enqueue` it instead.
    public func tryEnqueue(_ trace: Trace) -> Bool {
        state.withLock { state in
            guard state.items.count < capacity || state.finished else { return false }
            state.items.append(trace)
            state.wakeConsumer()
            return true
        }
    }

    /// Adds a trace even when the queue is full, for callers that cannot suspend (deinitializers).
    public func enqueueWithoutWaiting(_ trace: Trace) {
        state.withLock { state in
            state.items.append(trace)
            state.wakeConsumer()
        }
    }

    /// Removes up to `maxCount` traces, waking producers that waited for room.
    public func take(maxCount: Int) -> [Trace] {
        let (batch, producers) = state.withLock { state -> ([Trace], [CheckedContinuation<Void, Never>]) in
            let count = min(maxCount, state.items.count)
            let batch = Array(state.items.prefix(count))
            state.items.removeFirst(count)
            state.inFlight += count
            let producers = Array(state.blockedProducers)
            state.blockedProducers.removeAll()
            return (batch, producers)
        }
        for producer in producers { producer.resume() }
        return batch
    }

    /// Waits until a trace is queued; returns false when the queue is finished and empty.
    public func waitForTraces() async -> Bool {
        await waitForFirstTrace()
        return state.withLock { !$0.items.isEmpty || !$0.finished }
    }

    /// Like `waitForTraces()`, but gives up after `timeout`; true when there is something to do.
    public func waitForTraces(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForFirstTrace() }
            await group.next()
            group.cancelAll()
        }
        return state.withLock { !$0.items.isEmpty || !$0.finished }
    }

    /// True once `finish()` was called and every trace has been taken.
    public var isFinishedAndEmpty: Bool { state.withLock { $0.finished && $0.items.isEmpty } }

    private func waitForFirstTrace() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if !state.items.isEmpty || state.finished || Task.isCancelled { return true }
                    state.consumer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                state.consumer?.resume()
                state.consumer = nil
            }
        }
    }

    /// Waits until `size` traces are queued, the queue is finished, or `timeout` has passed.
    public func waitForBatch(of size: Int, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitUntilFull(size) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitUntilFull(_ size: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.items.count >= size || state.finished || Task.isCancelled { return true }
                    state.batchWaiter = (continuation, size)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                state.batchWaiter?.continuation.resume()
                state.batchWaiter = nil
            }
        }
    }

    /// Marks the end of input: the consumer drains what is left, and waiting producers go through.
    public func finish() {
        let (consumer, producers) = state.withLock { state in
            state.finished = true
            state.batchWaiter?.continuation.resume()
            state.batchWaiter = nil
            let consumer = state.consumer
            state.consumer = nil
            let producers = Array(state.blockedProducers)
            state.blockedProducers.removeAll()
            return (consumer, producers)
        }
        consumer?.resume()
        for producer in producers { producer.resume() }
    }
}

extension TraceQueue.State {
    /// Resumes the consumer if it waits for a first trace, or for a batch that is now full.
    mutating func wakeConsumer() {
        if let consumer {
            self.consumer = nil
            consumer.resume()
        }
        if let waiter = batchWaiter, items.count >= waiter.size {
            batchWaiter = nil
            waiter.continuation.resume()
        }
    }
}
