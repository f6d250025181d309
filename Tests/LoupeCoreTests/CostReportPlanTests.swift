import Foundation
import LoupeCore
import Testing

@Suite struct CostReportPlanTests {
    static let day = CostRollup.millisPerDay
    static let midnight: Int64 = 20_352 * day  // 2025-09-21 00:00 UTC

    func plan(_ since: Int64?, _ until: Int64?) -> CostReportPlan {
        CostReportPlan(CostReportQuery(
            groupBy: .model,
            since: since.map { Date(timeIntervalSince1970: Double($0) / 1000) },
            until: until.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        ))
    }

    @Test func anOpenWindowReadsOnlyRollups() {
        #expect(plan(nil, nil) == CostReportPlan(wholeDays: .init(first: nil, last: nil), partialRanges: []))
    }

    @Test func midnightBoundsNeedNoTraces() {
        let split = plan(Self.midnight, Self.midnight + 3 * Self.day)
        #expect(split.wholeDays == .init(first: 20_352, last: 20_354))
        #expect(split.partialRanges.isEmpty)
    }

    @Test func partialEdgeDaysAreReadFromTraces() {
        let since = Self.midnight + 1_000, until = Self.midnight + 2 * Self.day + 5
        let split = plan(since, until)
        #expect(split.wholeDays == .init(first: 20_353, last: 20_353))
        #expect(split.partialRanges == [since..<Self.midnight + Self.day, Self.midnight + 2 * Self.day..<until])
        #expect(plan(since, nil).wholeDays == .init(first: 20_353, last: nil))
        #expect(plan(nil, until).wholeDays == .init(first: nil, last: 20_353))
    }

    @Test func aWindowInsideOneDayReadsOnlyTraces() {
        let split = plan(Self.midnight + 10, Self.midnight + 20)
        #expect(split.wholeDays == nil)
        #expect(split.partialRanges == [Self.midnight + 10..<Self.midnight + 20])
        #expect(plan(Self.midnight + 20, Self.midnight + 10).partialRanges.isEmpty)  // backwards: nothing
        #expect(plan(Self.midnight + 20, Self.midnight + 10).wholeDays == nil)
    }

    @Test func daysAreUTCCalendarDates() {
        #expect(CostRollup.dayString(0) == "1970-01-01")
        #expect(CostRollup.dayString(-1) == "1969-12-31")
        #expect(CostRollup.dayString(20_352) == "2025-09-21")
        #expect(CostRollup.dayString(11_016) == "2000-02-29")
        #expect(CostRollup.day(ofMillis: -1) == -1)
        #expect(CostRollup.day(ofMillis: Self.midnight + Self.day - 1) == 20_352)
    }
}
