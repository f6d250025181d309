#if canImport(Glibc)
import Glibc
#endif
@testable import LoupeSQLite
import Testing

/// Store work runs in the idle scheduling class, a watchdog brings a long section back to the normal class so it
/// cannot starve, and the thread always gets its class back: a dispatch thread left idle would starve whatever
/// runs on it next.
@Suite struct WriterSchedulingTests {
    @Test func idleWorkRunsIdleAndPutsTheThreadBack() throws {
        #if os(Linux)
        let before = sched_getscheduler(0)
        let during = WriterScheduling.idle(promotedAfter: .seconds(10)) { sched_getscheduler(0) }
        #expect(sched_getscheduler(0) == before)
        // Unprivileged processes cannot leave the idle class, so there it is never entered.
        #expect(during == (WriterScheduling.canYield ? 5 /* SCHED_IDLE */ : before))
        // Work that throws puts the thread back too.
        struct Failure: Error {}
        #expect(throws: Failure.self) { try WriterScheduling.idle(promotedAfter: .seconds(10)) { throw Failure() } }
        #expect(sched_getscheduler(0) == before)
        #else
        #expect(WriterScheduling.idle(promotedAfter: .seconds(10)) { 1 } == 1)
        #endif
    }

    @Test func aSectionThatRunsPastItsLimitIsPutBackInTheNormalClass() throws {
        #if os(Linux)
        try #require(WriterScheduling.canYield, "this process cannot leave the idle class, so it never enters it")
        let classes = WriterScheduling.idle(promotedAfter: .milliseconds(5)) {
            let first = sched_getscheduler(0)
            // Nested sections leave the class to the outer one and its watchdog.
            let nested = WriterScheduling.idle(promotedAfter: .seconds(10)) { sched_getscheduler(0) }
            let stillIdle = sched_getscheduler(0)
            var waited = 0
            while sched_getscheduler(0) != 0, waited < 2_000 {
                usleep(1_000)
                waited += 1
            }
            return (first, nested, stillIdle, sched_getscheduler(0))
        }
        #expect(classes.0 == 5)
        #expect(classes.1 == 5)
        #expect(classes.2 == 5)
        #expect(classes.3 == 0 /* SCHED_OTHER */, "the watchdog did not promote the thread within 2 s")
        #expect(sched_getscheduler(0) == 0)
        #endif
    }
}
