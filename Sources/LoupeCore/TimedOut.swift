import Synchronization

/// An operation on the store did not finish in time.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was being done, such as "write traces to the store".
    public var operation: String
    public var timeout: Duration
    public var description: String { "could not \(operation) within \(timeout)" }

    public init(operation: String, timeout: Duration) {
        self.operation = operation
        self.timeout = timeout
    }
}

/// Runs `body`, cancelling it and throwing `TimedOut` after `timeout`, so a hung store cannot stall the caller.
///
/// The caller stops waiting at the deadline even when `body` does not stop on cancellation (a database
/// query already sent keeps waiting for its answer): `body` runs in a task of its own, which is cancelled
/// and left to finish in the background. A task group would wait for it, and a writer behind a hung
/// query would hang too.
public func withTimeout(
    _ timeout: Duration, operation: String, _ body: @escaping @Sendable () async throws -> Void
) async throws {
    let work = Task { try await body() }
    let waiter = Waiter()
    try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiter.wait(continuation)
            Task { waiter.finish(await work.result) }
            Task {
                try? await Task.sleep(for: timeout)
                work.cancel()
                waiter.finish(.failure(TimedOut(operation: operation, timeout: timeout)))
            }
        }
    } onCancel: {
        work.cancel()
        waiter.finish(.failure(CancellationError()))
    }
}

/// Resumes a caller once: whichever of the work, the deadline or the caller's cancellation comes first.
private final class Waiter: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Void, any Error>?, early: Result<Void, any Error>?)>((nil, nil))

    func wait(_ continuation: CheckedContinuation<Void, any Error>) {
        // Cancellation can come before the continuation exists; then it is answered at once.
        let early = state.withLock { state -> Result<Void, any Error>? in
            if state.early == nil { state.continuation = continuation }
            return state.early
        }
        if let early { continuation.resume(with: early) }
    }

    func finish(_ result: Result<Void, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let continuation = state.continuation else {
                if state.early == nil { state.early = result }
                return nil
            }
            state.continuation = nil
            state.early = result  // any later result finds the caller gone
            return continuation
        }
        continuation?.resume(with: result)
    }
}
