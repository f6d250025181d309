import Foundation
import LoupeCore
import Testing

@Suite struct LatencyHistogramTests {
    /// Latencies from sub-millisecond to minutes, in a fixed pseudo-random order.
    static let latencies: [Double] = (1...5_000).map { index in
        let spread = Double((index * 7_919) % 10_007) / 10_007
        return 0.05 * pow(10, spread * 6.2)  // 0.05 ms to about 80 s
    }

    @Test func percentilesStayWithinOnePercentOfNearestRank() {
        var histogram = LatencyHistogram()
        Self.latencies.forEach { histogram.record($0) }
        let sorted = Self.latencies.sorted()
        for fraction in [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
            let exact = sorted[Int((Double(sorted.count) * fraction).rounded(.up)) - 1]
            let reported = try! #require(histogram.percentile(fraction))
            #expect(abs(reported - exact) <= exact * LatencyHistogram.relativeAccuracy, "p\(fraction * 100)")
        }
        #expect(histogram.total == 5_000)
    }

    @Test func mergingEqualsRecordingEverythingInOne() {
        var whole = LatencyHistogram(), first = LatencyHistogram(), second = LatencyHistogram()
        for (index, latency) in Self.latencies.enumerated() {
            whole.record(latency)
            if index % 3 == 0 { first.record(latency) } else { second.record(latency) }
        }
        first.merge(second)
        #expect(first == whole)
        // Into an empty one, and ranges that lie wholly below or above each other.
        var empty = LatencyHistogram()
        empty.merge(whole)
        #expect(empty == whole)
        var low = LatencyHistogram(), high = LatencyHistogram(), both = LatencyHistogram()
        [0.2, 0.3, 0].forEach { low.record($0); both.record($0) }
        [900, 4_000].forEach { high.record($0); both.record($0) }
        var highThenLow = high
        highThenLow.merge(low)
        low.merge(high)
        #expect(low == both && highThenLow == both)
        #expect(both.total == 5)
    }

    @Test func encodingRoundTripsIncludingZeroAndOddValues() throws {
        var histogram = LatencyHistogram()
        for latency in Self.latencies + [0, -3, 0.0005, .infinity, .nan, 1e12] { histogram.record(latency) }
        let bytes = histogram.encoded
        #expect(try LatencyHistogram(encoded: bytes) == histogram)
        #expect(bytes.count < Int(histogram.total) / 2)  // compact: a few bytes a bucket, not a value per sample
        #expect(try LatencyHistogram(encoded: []) == LatencyHistogram())
        let dense = histogram.dense
        #expect(try LatencyHistogram(zeroCount: dense.zeroCount, firstBucket: dense.firstBucket, counts: dense.counts) == histogram)
        #expect(dense.counts.first != 0 && dense.counts.last != 0)
        // Zeros at either end, as an array sum may leave them, read back as the same histogram.
        let padded = try LatencyHistogram(zeroCount: 2, firstBucket: 9, counts: [0, 0, 5, 0, 1, 0])
        #expect(padded == (try LatencyHistogram(zeroCount: 2, firstBucket: 11, counts: [5, 0, 1])))
        #expect(padded.dense.firstBucket == 11 && padded.dense.counts == [5, 0, 1] && padded.total == 8)
        #expect(try LatencyHistogram(zeroCount: 3, firstBucket: nil, counts: []).dense.firstBucket == nil)
        #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(zeroCount: 0, firstBucket: 1, counts: [1, -1]) }
        #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(zeroCount: 0, firstBucket: nil, counts: [1]) }
        #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(zeroCount: 0, firstBucket: LatencyHistogram.zeroBucket, counts: [1]) }
        #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(zeroCount: 0, firstBucket: Int32.max - 1, counts: [1, 1, 1]) }
        #expect(LatencyHistogram().percentile(0.5) == nil)
        var zero = LatencyHistogram()
        zero.record(0)
        #expect(zero.percentile(0.5) == 0)
    }

    @Test func corruptBytesAreRefusedWithAClearError() {
        var histogram = LatencyHistogram()
        histogram.record(12)
        let bytes = histogram.encoded
        let cut = #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(encoded: bytes.dropLast()) }  // count cut off
        #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(encoded: [0x80, 0x80]) }  // unterminated varint
        #expect(throws: LatencyHistogramError.self) { try LatencyHistogram(encoded: [0x02, 0x00]) }  // zero count
        #expect(cut.map { "\($0)" }?.contains("loupe db rebuild-rollups") == true)
    }
}
