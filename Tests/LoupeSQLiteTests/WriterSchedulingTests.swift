#if canImport(Glibc)
import Glibc
#endif
@testable import LoupeSQLite
import Testing

/// A small batch's write runs in the idle scheduling class, and the thread always gets its class back: a dispatch
/// thread left idle would starve whatever runs on it next.
@Suite struct WriterSchedulingTests {
    @Test func aYieldingWriteRunsIdleAndPutsTheThreadBack() throws {
        #if os(Linux)
        let before = sched_getscheduler(0)
        let during = WriterScheduling.run(yielding: true) { sched_getscheduler(0) }
        #expect(sched_getscheduler(0) == before)
        // Unprivileged processes cannot leave the idle class, so there it is never entered.
        #expect(during == (WriterScheduling.canYield ? 5 /* SCHED_IDLE */ : before))
        #expect(WriterScheduling.run(yielding: false) { sched_getscheduler(0) } == before)
        // A write that throws puts the thread back too.
        struct Failure: Error {}
        #expect(throws: Failure.self) { try WriterScheduling.run(yielding: true) { throw Failure() } }
        #expect(sched_getscheduler(0) == before)
        #else
        #expect(WriterScheduling.run(yielding: true) { 1 } == 1)
        #endif
    }
}
