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

    @Test func printsEveryDigitWithoutTrailingZeros() {
        #expect(USD.zero.description == "0")
        #expect(USD(picos: 1).description == "0.000000000001")
        #expect(USD(picos: -500_000_000_000).description == "-0.5")
        #expect(USD(picos: 12 * USD.picosPerDollar + 30).description == "12.00000000003")
        #expect(USD(picos: 1_000_000_000_010).description == "1.00000000001")
        #expect(USD(picos: Int64.max).description == "9223372.036854775807")
        #expect(USD(picos: Int64.min).description == "-9223372.036854775808")
        // Printing and parsing agree for amounts across the range.
        for picos: Int64 in [7, 120, 99_999_999_999_999, 1_234_567_890_123_456, -42_000] {
            #expect(USD(USD(picos: picos).description)?.picos == picos)
        }
    }

    @Test func encodesAsAnExactJSONNumber() throws {
        let data = try JSONEncoder().encode([USD(picos: 123_456_789)])
        #expect(String(decoding: data, as: UTF8.self) == "[0.000123456789]")
    }
}
