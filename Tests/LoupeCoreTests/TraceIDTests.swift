import Foundation
import LoupeCore
import Testing

@Suite struct TraceIDTests {
    @Test func isAVersion7UUIDThatSortsByTime() {
        let early = TraceID.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let late = TraceID.make(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(UUID(uuidString: early) != nil)
        #expect(Array(early)[14] == "7")
        #expect(early < late)
        #expect(Set((0..<10_000).map { _ in TraceID.make() }).count == 10_000)
    }
}
