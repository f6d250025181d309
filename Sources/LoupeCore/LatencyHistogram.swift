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
    /// Latencies beyond about 11.5 days share the last bucket, so that no value can make the counts huge.
    static let maxBucket = Int32((log(1e9) / logGamma).rounded(.up))
    /// The zero count's index in the encoding, below every real bucket.
    public static let zeroBucket: Int32 = -10_000

    /// Calls at or under `zeroThresholdMs`.
    private(set) var zeroCount: Int64 = 0
    /// `counts[i]` is the count of bucket `firstBucket + i`; the first and last counts are never zero,
    /// so equal histograms are equal values.
    private(set) var firstBucket: Int32 = 0
    private(set) var counts: [Int64] = []
    /// How many latencies were recorded.
    public private(set) var total: Int64 = 0

    public init() {}

    /// Counts one latency.
    public mutating func record(_ milliseconds: Double) {
        add(Self.bucket(of: milliseconds), count: 1)
    }

    /// Counts one latency already placed in its bucket by `bucket(of:)`.
    mutating func record(bucket: Int32) {
        add(bucket, count: 1)
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        zeroCount += other.zeroCount
        total += other.zeroCount
        guard !other.counts.isEmpty else { return }
        guard !counts.isEmpty else {
            (firstBucket, counts) = (other.firstBucket, other.counts)
            total += other.total - other.zeroCount
            return
        }
        // Widen once to cover both ranges, then add element by element.
        add(other.firstBucket, count: 0)
        add(other.firstBucket + Int32(other.counts.count - 1), count: 0)
        let offset = Int(other.firstBucket - firstBucket)
        for index in other.counts.indices { counts[offset + index] += other.counts[index] }
        total += other.total - other.zeroCount
    }

    /// The nearest-rank percentile for `fraction` (0.5 for p50), within `relativeAccuracy`; nil when empty.
    public func percentile(_ fraction: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int64((Double(total) * fraction).rounded(.up)))
        var seen = zeroCount
        if seen >= rank { return 0 }
        for index in counts.indices {
            seen += counts[index]
            if seen >= rank { return Self.value(of: firstBucket + Int32(index)) }
        }
        return counts.isEmpty ? 0 : Self.value(of: firstBucket + Int32(counts.count - 1))
    }

    /// Adds `count` to `bucket` (the zero bucket included), widening the dense range to reach it.
    private mutating func add(_ bucket: Int32, count: Int64) {
        if bucket == Self.zeroBucket {
            zeroCount += count
            total += count
            return
        }
        if counts.isEmpty {
            guard count > 0 else { return }
            firstBucket = bucket
            counts = [count]
        } else if bucket < firstBucket {
            counts.insert(contentsOf: repeatElement(0, count: Int(firstBucket - bucket)), at: 0)
            firstBucket = bucket
            counts[0] += count
        } else {
            let index = Int(bucket - firstBucket)
            if index >= counts.count { counts.append(contentsOf: repeatElement(0, count: index - counts.count + 1)) }
            counts[index] += count
        }
        total += count
    }

    /// The bucket a latency counts in; `zeroBucket` for zero (and anything not a positive number).
    public static func bucket(of milliseconds: Double) -> Int32 {
        guard milliseconds > zeroThresholdMs else { return zeroBucket }  // NaN too
        guard milliseconds < 1e9 else { return maxBucket }
        return min(maxBucket, Int32((log(milliseconds) / logGamma).rounded(.up)))
    }

    /// The middle of the bucket in relative terms, so both of its edges are within `relativeAccuracy`.
    static func value(of bucket: Int32) -> Double {
        2 * pow(gamma, Double(bucket)) / (gamma + 1)
    }
}

extension LatencyHistogram {
    /// A compact encoding for storage: for each bucket in ascending order, the zigzag varint of its
    /// distance from the previous bucket, then the varint of its count. About 3 bytes a bucket.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 3 + 4)
        var previous: Int64 = 0
        func append(_ bucket: Int32, _ count: Int64) {
            let delta = Int64(bucket) - previous
            previous = Int64(bucket)
            Varint.append(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), to: &bytes)
            Varint.append(UInt64(count), to: &bytes)
        }
        if zeroCount > 0 { append(Self.zeroBucket, zeroCount) }
        for index in counts.indices where counts[index] > 0 { append(firstBucket + Int32(index), counts[index]) }
        return bytes
    }

    /// Reads what `encoded` wrote; throws `LatencyHistogramError` for anything else.
    public init(encoded bytes: some Collection<UInt8>) throws(LatencyHistogramError) {
        // Decoded from contiguous memory: element by element through a generic collection from another
        // module is a hundred times slower, and every insert reads these.
        let decoded = bytes.withContiguousStorageIfAvailable { buffer in Result { () throws(LatencyHistogramError) in try Self(buffer) } }
            ?? Array(bytes).withUnsafeBufferPointer { buffer in Result { () throws(LatencyHistogramError) in try Self(buffer) } }
        self = try decoded.get()
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>) throws(LatencyHistogramError) {
        self.init()
        var index = 0
        var previous: Int64 = 0
        var first = true
        while index < bytes.count {
            let zigzag = try Self.readVarint(bytes, &index)
            let delta = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            let (bucket, overflow) = previous.addingReportingOverflow(delta)
            // Buckets come in ascending order, each a real bucket or the zero count.
            guard !overflow, first || delta > 0, let bucket32 = Int32(exactly: bucket),
                  bucket32 == Self.zeroBucket || (bucket32 > Self.zeroBucket && bucket32 <= Self.maxBucket)
            else { throw LatencyHistogramError() }
            previous = bucket
            first = false
            let count = try Self.readVarint(bytes, &index)
            guard count > 0, let count64 = Int64(exactly: count) else { throw LatencyHistogramError() }
            add(bucket32, count: count64)
        }
    }

    /// The zero count, then every bucket's count from the lowest non-empty one to the highest, for stores that keep
    /// them as an array and add two histograms element by element; `firstBucket` is nil when only zeros were counted.
    public var dense: (zeroCount: Int64, firstBucket: Int32?, counts: [Int64]) {
        (zeroCount, counts.isEmpty ? nil : firstBucket, counts)
    }

    /// Reads what `dense` gave, zeros at either end allowed; throws `LatencyHistogramError` for anything else.
    public init(zeroCount: Int64, firstBucket: Int32?, counts: [Int64]) throws(LatencyHistogramError) {
        self.init()
        guard zeroCount >= 0, counts.allSatisfy({ $0 >= 0 }) else { throw LatencyHistogramError() }
        add(Self.zeroBucket, count: zeroCount)
        guard !counts.isEmpty else { return }
        guard let firstBucket, firstBucket > Self.zeroBucket, Int(firstBucket) + counts.count - 1 <= Int(Self.maxBucket)
        else { throw LatencyHistogramError() }
        for (offset, count) in counts.enumerated() where count > 0 { add(firstBucket + Int32(offset), count: count) }
    }

    static func readVarint(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(LatencyHistogramError) -> UInt64 {
        guard let value = Varint.read(bytes, at: &index) else { throw LatencyHistogramError() }
        return value
    }
}

/// A stored latency histogram that is not in the format `LatencyHistogram.encoded` writes.
public struct LatencyHistogramError: Error, CustomStringConvertible {
    public var description: String {
        "a stored latency histogram is corrupt; rebuild the report rollups with `loupe db rebuild-rollups`"
    }
}
