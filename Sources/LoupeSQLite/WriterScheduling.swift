#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Lets a small trace batch's write run at Linux's idle scheduling class (`SCHED_IDLE`), so that it takes no core
/// from a call in flight.
///
/// At a normal class, a batch write that is running keeps its core for most of a time slice when an event loop
/// wakes on it: `perf` showed the loops waiting 0.3–1.3 ms behind it, which was the one-connection p99 tail. At the
/// idle class any waking thread takes the core at once. A big batch means the writer is behind, so it keeps the
/// normal class and catches up; a starved idle write makes the next batch big, so the writer never stays behind.
enum WriterScheduling {
    /// Whether this process may put a thread in the idle class and bring it back, which an unprivileged process
    /// cannot (it needs root, CAP_SYS_NICE or a raised RLIMIT_NICE). Tried once, on a thread of its own.
    static let canYield: Bool = {
        #if os(Linux)
        let result = LockedFlag()
        let done = DispatchSemaphore(value: 0)
        let probe = Thread {
            var parameters = sched_param()
            if sched_setscheduler(0, schedIdle, &parameters) == 0, sched_setscheduler(0, schedOther, &parameters) == 0 {
                result.set()
            }
            done.signal()
        }
        probe.start()
        done.wait()
        return result.value
        #else
        return false
        #endif
    }()

    /// Runs `body` in the idle class when `yielding` and the process may, then puts the thread back.
    static func run<T>(yielding: Bool, _ body: () throws -> T) rethrows -> T {
        #if os(Linux)
        guard yielding, canYield, !stopped.load(ordering: .relaxed) else { return try body() }
        var parameters = sched_param()
        guard sched_setscheduler(0, schedIdle, &parameters) == 0 else { return try body() }
        defer {
            // Should a thread ever fail to come back (its limits changed since the probe), no other thread goes idle.
            if sched_setscheduler(0, schedOther, &parameters) != 0 { stopped.store(true, ordering: .relaxed) }
        }
        return try body()
        #else
        return try body()
        #endif
    }

    private static let stopped = Atomic<Bool>(false)

    // Linux's values (sched.h), which Glibc's module does not export.
    private static let schedOther: Int32 = 0
    private static let schedIdle: Int32 = 5
}

/// A flag set on one thread and read on another.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    func set() { lock.withLock { isSet = true } }
    var value: Bool { lock.withLock { isSet } }
}
