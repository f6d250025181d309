import Foundation

/// Trace identifiers: UUID version 7, so ids sort by creation time and never collide across instances.
public enum TraceID {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A new UUIDv7 string in lowercase canonical form.
    public static func make(at date: Date = Date()) -> String {
        let (random, random2) = RandomBytes.shared.next128()
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = (
            UInt8(truncatingIfNeeded: millis >> 40), UInt8(truncatingIfNeeded: millis >> 32),
            UInt8(truncatingIfNeeded: millis >> 24), UInt8(truncatingIfNeeded: millis >> 16),
            UInt8(truncatingIfNeeded: millis >> 8), UInt8(truncatingIfNeeded: millis),
            UInt8(truncatingIfNeeded: random >> 8) & 0x0F | 0x70,  // version 7
            UInt8(truncatingIfNeeded: random),
            UInt8(truncatingIfNeeded: random2 >> 56) & 0x3F | 0x80,  // RFC 9562 variant
            UInt8(truncatingIfNeeded: random2 >> 48), UInt8(truncatingIfNeeded: random2 >> 40),
            UInt8(truncatingIfNeeded: random2 >> 32), UInt8(truncatingIfNeeded: random2 >> 24),
            UInt8(truncatingIfNeeded: random2 >> 16), UInt8(truncatingIfNeeded: random2 >> 8),
            UInt8(truncatingIfNeeded: random2)
        )
        return withUnsafeBytes(of: &bytes) { raw in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var position = 0
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = hexDigits[Int(byte >> 4)]
                    buffer[position + 1] = hexDigits[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}
