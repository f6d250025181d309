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

    @Test func randomBytesDifferAcrossPoolRefills() {
        // 1,000 draws of 16 bytes use the 4 KiB pool up about four times over; no value comes back.
        let draws = (0..<1_000).map { _ in RandomBytes.shared.next128() }
        #expect(Set(draws.map { "\($0.0)-\($0.1)" }).count == 1_000)
        // The bits look random, not like an unfilled (zeroed) pool: about half of them are set.
        let ones = draws.reduce(0) { $0 + $1.0.nonzeroBitCount + $1.1.nonzeroBitCount }
        #expect((60_000...68_000).contains(ones))
    }
}
