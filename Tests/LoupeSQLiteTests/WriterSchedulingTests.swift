#if canImport(Glibc)
import Glibc
#endif
@testable import LoupeSQLite
import Testing

/// Checkpoints run in the idle scheduling class, and the thread always gets its class back: a dispatch thread left
/// idle would starve whatever runs on it next.
@Suite struct WriterSchedulingTests {
    @Test func idleWorkRunsIdleAndPutsTheThreadBack() throws {
        #if os(Linux)
        let before = sched_getscheduler(0)
        let during = WriterScheduling.idle { sched_getscheduler(0) }
        #expect(sched_getscheduler(0) == before)
        // Unprivileged processes cannot leave the idle class, so there it is never entered.
        #expect(during == (WriterScheduling.canYield ? 5 /* SCHED_IDLE */ : before))
        // Work that throws puts the thread back too.
        struct Failure: Error {}
        #expect(throws: Failure.self) { try WriterScheduling.idle { throw Failure() } }
        #expect(sched_getscheduler(0) == before)
        #else
        #expect(WriterScheduling.idle { 1 } == 1)
        #endif
    }
}
