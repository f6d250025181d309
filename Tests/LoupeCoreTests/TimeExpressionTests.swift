import Foundation
import LoupeCore
import Testing

@Suite struct TimeExpressionTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func parsesAgesDatesAndEpochSeconds() throws {
        #expect(try TimeExpression.parse("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(try TimeExpression.parse("90m", now: now) == now.addingTimeInterval(-5_400))
        #expect(try TimeExpression.parse("2026-01-02", now: now) == Date(timeIntervalSince1970: 1_767_312_000))
        #expect(try TimeExpression.parse("2026-01-02T00:00:01.5Z", now: now) == Date(timeIntervalSince1970: 1_767_312_001.5))
        #expect(try TimeExpression.parse("1767312000", now: now) == Date(timeIntervalSince1970: 1_767_312_000))
        #expect(throws: TimeExpression.ParseError.self) { try TimeExpression.parse("last tuesday", now: now) }
    }

    @Test func cursorTokensRoundTrip() {
        let cursor = TraceCursor(createdAtMillis: 1_790_000_000_123, id: "0190-abc")
        #expect(TraceCursor(token: cursor.token) == cursor)
        #expect(TraceCursor(token: "not a cursor") == nil)
    }
}
