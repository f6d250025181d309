import LoupeCore
import Testing

@Suite struct PercentileTests {
    @Test func nearestRank() {
        let values = (1...10).map(Double.init)
        #expect(Percentile.nearestRank(0.5, ofSorted: values) == 5)
        #expect(Percentile.nearestRank(0.95, ofSorted: values) == 10)
        #expect(Percentile.nearestRank(0.1, ofSorted: values) == 1)
        #expect(Percentile.nearestRank(0, ofSorted: values) == 1)
        #expect(Percentile.nearestRank(1, ofSorted: values) == 10)
        #expect(Percentile.nearestRank(0.5, ofSorted: [7]) == 7)
        #expect(Percentile.nearestRank(0.5, ofSorted: []) == nil)
    }
}
