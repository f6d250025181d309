import Foundation

/// Latencies counted in logarithmic buckets 2% wide, as DDSketch does: any percentile read back is
/// within 1% of the true nearest-rank value, and histograms of different days merge exactly.
public struct LatencyHistogram: Sendable, Hashable {
    /// The largest relative error of a percentile read from the histogram.
    public static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = log(gamma)
    /// Latencies at or below this many milliseconds (a cache hit, a clock step) count as zero.
    static let zeroThresholdMs = 0.001
    static let zeroBucket: Int32 = -10_000

    /// Count per bucket index.
    private(set) var counts: [Int32: Int64] = [:]
    /// How many latencies were recorded.
    public private(set) var total: Int64 = 0

    public init() {}

    /// Counts one latency.
    public mutating func record(_ milliseconds: Double) {
        counts[Self.bucket(of: milliseconds), default: 0] += 1
        total += 1
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        for (bucket, count) in other.counts { counts[bucket, default: 0] += count }
        total += other.total
    }

    /// The nearest-rank percentile for `fraction` (0.5 for p50), within `relativeAccuracy`; nil when empty.
    public func percentile(_ fraction: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int64((Double(total) * fraction).rounded(.up)))
        var seen: Int64 = 0
        for bucket in counts.keys.sorted() {
            seen += counts[bucket]!
            if seen >= rank { return Self.value(of: bucket) }
        }
        return counts.keys.max().map(Self.value(of:))
    }

    static func bucket(of milliseconds: Double) -> Int32 {
        guard milliseconds > zeroThresholdMs, milliseconds.isFinite else {
            return milliseconds.isFinite || milliseconds < 0 ? zeroBucket : Int32.max
        }
        return Int32((log(milliseconds) / logGamma).rounded(.up))
    }

    /// The middle of the bucket in relative terms, so both of its edges are within `relativeAccuracy`.
    static func value(of bucket: Int32) -> Double {
        if bucket == zeroBucket { return 0 }
        if bucket == Int32.max { return .infinity }
        return 2 * pow(gamma, Double(bucket)) / (gamma + 1)
    }
}

extension LatencyHistogram {
    /// A compact encoding for storage: for each bucket in ascending order, the zigzag varint of its
    /// distance from the previous bucket, then the varint of its count. About 3 bytes a bucket.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 3)
        var previous: Int64 = 0
        for bucket in counts.keys.sorted() {
            let delta = Int64(bucket) - previous
            previous = Int64(bucket)
            Self.appendVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), to: &bytes)
            Self.appendVarint(UInt64(counts[bucket]!), to: &bytes)
        }
        return bytes
    }

    /// Reads what `encoded` wrote; throws `LatencyHistogramError` for anything else.
    public init<Bytes: Collection<UInt8>>(encoded bytes: Bytes) throws(LatencyHistogramError) {
        self.init()
        var index = bytes.startIndex
        var previous: Int64 = 0
        while index != bytes.endIndex {
            let zigzag = try Self.readVarint(bytes, &index)
            let delta = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            let (bucket, overflow) = previous.addingReportingOverflow(delta)
            guard !overflow, let bucket32 = Int32(exactly: bucket) else { throw LatencyHistogramError() }
            previous = bucket
            let count = try Self.readVarint(bytes, &index)
            guard count > 0, let count64 = Int64(exactly: count) else { throw LatencyHistogramError() }
            counts[bucket32, default: 0] += count64
            total += count64
        }
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func readVarint<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ index: inout Bytes.Index) throws(LatencyHistogramError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index != bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw LatencyHistogramError()
    }
}

/// A stored latency histogram that is not in the format `LatencyHistogram.encoded` writes.
public struct LatencyHistogramError: Error, CustomStringConvertible {
    public var description: String {
        "a stored latency histogram is corrupt; rebuild the report rollups with `loupe db rebuild-rollups`"
    }
}
