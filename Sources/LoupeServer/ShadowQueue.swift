import Synchronization

/// Shadow copies waiting to be sent. Submitting never waits: when `capacity` copies wait already, a new one
/// is dropped and counted, so a slow shadow model can never hold up or overload the calls it shadows.
final class ShadowQueue: Sendable {
    let jobs: AsyncStream<ShadowJob>
    private let continuation: AsyncStream<ShadowJob>.Continuation
    private let droppedCount = Atomic<Int>(0)

    init(capacity: Int = 1000) {
        (jobs, continuation) = AsyncStream.makeStream(of: ShadowJob.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a copy; false when it was dropped (queue full, or shutting down).
    @discardableResult
    func submit(_ job: ShadowJob) -> Bool {
        switch continuation.yield(job) {
        case .enqueued: return true
        case .dropped, .terminated:
            droppedCount.add(1, ordering: .relaxed)
            return false
        @unknown default: return false
        }
    }

    /// Copies dropped since start.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Takes no more copies; those queued are still sent.
    func finish() { continuation.finish() }
}
