/// Base-128 varints, least significant group first, as protobuf writes them and the stored latency histograms too.
public enum Varint {
    /// Appends `value`.
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The varint at `index`, moving `index` past it; nil when the bytes end first or it runs past 64 bits.
    /// Inlinable, so it is specialized for the caller's collection: histograms are decoded on every report.
    @inlinable
    public static func read<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: inout Bytes.Index) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
