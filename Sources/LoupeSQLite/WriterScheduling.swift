#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// How the store's background work gives way to the event loops on Linux, so a call never waits long for a core
/// behind it.
///
/// `perf` showed the loops waiting 0.3–1.3 ms while a trace batch, its rollup count or a checkpoint held their core:
/// a running thread keeps its core for most of a time slice when another wakes on it. That was the one-connection
/// p99 tail. Trace writes now let waiting threads run between statements. Checkpoints, which can wait without
/// harm, run in the idle scheduling class (`SCHED_IDLE`), where any waking thread takes the core at once.
enum WriterScheduling {
    /// Lets a thread that is waiting for this core run now, between two steps of a long write. Costs a system call.
    static func letOthersRun() {
        #if os(Linux)
        _ = sched_yield()
        #endif
    }

    /// Runs `body` in the idle scheduling class where the process may, then puts the thread back in the normal class.
    /// Only for work that may wait without harm: while every core is busy, an idle thread barely runs.
    static func idle<T>(_ body: () throws -> T) rethrows -> T {
        #if os(Linux)
        guard canYield, !stopped.load(ordering: .relaxed) else { return try body() }
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

    /// Whether this process may put a thread in the idle class and bring it back, which an unprivileged process
    /// cannot (it needs CAP_SYS_NICE or a raised RLIMIT_NICE). Tried once, on a thread of its own.
    static let canYield: Bool = {
        #if os(Linux)
        let result = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        Thread {
            var parameters = sched_param()
            if sched_setscheduler(0, schedIdle, &parameters) == 0, sched_setscheduler(0, schedOther, &parameters) == 0 {
                result.store(true, ordering: .relaxed)
            }
            done.signal()
        }.start()
        done.wait()
        return result.load(ordering: .relaxed)
        #else
        return false
        #endif
    }()

    private static let stopped = Atomic<Bool>(false)

    // Linux's values (sched.h), which Glibc's module does not export.
    private static let schedOther: Int32 = 0
    private static let schedIdle: Int32 = 5
}
