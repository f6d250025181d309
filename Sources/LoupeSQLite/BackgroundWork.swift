import Dispatch
import Synchronization

/// A value computed on another thread while the caller does other work.
///
/// The caller computes it itself if no thread has started on it by the time it is needed, so waiting for it never
/// costs more than computing it inline would have: when every core is busy, it simply runs on the caller's thread.
final class BackgroundWork<Value: Sendable>: Sendable {
    private enum State {
        case pending(@Sendable () -> Value)
        case running
        case done(Value)
    }

    private let state: Mutex<State>
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `work` on a global dispatch queue.
    init(_ work: @escaping @Sendable () -> Value) {
        state = Mutex(.pending(work))
        DispatchQueue.global().async { [self] in
            guard let work = claim() else { return }  // the caller got there first
            let value = work()
            state.withLock { $0 = .done(value) }
            finished.signal()
        }
    }

    /// The value: computed here if no thread has started on it, else waited for. Call it once.
    func value() -> Value {
        if let work = claim() { return work() }
        finished.wait()
        return state.withLock { state in
            guard case .done(let value) = state else { preconditionFailure("BackgroundWork signalled before it was done") }
            return value
        }
    }

    private func claim() -> (@Sendable () -> Value)? {
        state.withLock { state in
            guard case .pending(let work) = state else { return nil }
            state = .running
            return work
        }
    }
}
