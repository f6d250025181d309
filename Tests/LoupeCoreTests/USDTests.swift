import Foundation
import LoupeCore
import Testing

@Suite struct USDTests {
    @Test func parsesAndPrintsExactly() {
        #expect(USD("0.15")?.picos == 150_000_000_000)
        #expect(USD("0.000000000001")?.picos == 1)
        #expect(USD("0.0000000000001") == nil)
        #expect(USD("abc") == nil)
        #expect(USD(picos: 240_000_000).description == "0.00024")
        #expect(USD(picos: 3 * USD.picosPerDollar).description == "3")
    }

    @Test func encodesAsAnExactJSONNumber() throws {
        let data = try JSONEncoder().encode([USD(picos: 123_456_789)])
        #expect(String(decoding: data, as: UTF8.self) == "[0.000123456789]")
    }
}
