/// ASCII tests on single UTF-8 bytes for the hand-written scanners. Bytes of multi-byte characters (0x80 and up)
/// are in no class, so they count as word boundaries.
enum ByteClass {
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte &- 0x41 < 26 }
    @inline(__always) static func isLower(_ byte: UInt8) -> Bool { byte &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    @inline(__always) static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- 0x61 < 6 }
    /// Letters, digits and `_`: the bytes of an identifier.
    @inline(__always) static func isWord(_ byte: UInt8) -> Bool { isAlnum(byte) || byte == UInt8(ascii: "_") }
    /// The base64url alphabet, which API tokens and JWT parts use.
    @inline(__always) static func isToken(_ byte: UInt8) -> Bool { isWord(byte) || byte == UInt8(ascii: "-") }
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { isUpper(byte) ? byte | 0x20 : byte }
}

/// A small set of ASCII bytes as two 64-bit masks: membership is a shift and an AND, with no table to load.
struct ByteSet: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init(_ members: String) {
        for byte in members.utf8 where byte < 128 {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
    }

    @inline(__always) func contains(_ byte: UInt8) -> Bool {
        if byte < 64 { return low & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return high & (1 << UInt64(byte &- 64)) != 0 }
        return false
    }
}

/// Bounds-safe reads over a UTF-8 buffer: a position outside it reads as 0, which is in no byte class,
/// so look-ahead and look-behind need no separate length checks.
struct ByteText {
    let bytes: UnsafeBufferPointer<UInt8>
    let count: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.count = bytes.count
    }

    @inline(__always) subscript(_ index: Int) -> UInt8 {
        index >= 0 && index < count ? bytes[index] : 0
    }

    /// Whether `literal` (ASCII) occurs at `index`, byte for byte.
    func hasPrefix(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= count else { return false }
        let start = literal.utf8Start
        for offset in 0..<length where bytes[index + offset] != start[offset] { return false }
        return true
    }

    /// Whether `literal` (lowercase ASCII) occurs at `index`, ignoring ASCII case in the text.
    func hasPrefixIgnoringCase(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= count else { return false }
        let start = literal.utf8Start
        for offset in 0..<length where ByteClass.lower(bytes[index + offset]) != start[offset] { return false }
        return true
    }

    /// The first index at or after `index` whose byte fails `test` (or `count`).
    @inline(__always) func end(from index: Int, while test: (UInt8) -> Bool) -> Int {
        var position = index
        while position < count && test(bytes[position]) { position += 1 }
        return position
    }

    /// The first index at or after `index` whose byte `table` (256 entries) marks non-zero, or `count`.
    /// Eight bytes are tested per step: in prose a trigger comes every few dozen bytes, so most steps find none.
    @inline(__always) func firstIndex(from index: Int, markedIn table: UnsafeBufferPointer<UInt8>) -> Int {
        var position = index
        while position + 8 <= count {
            let marks = table[Int(bytes[position])] | table[Int(bytes[position + 1])] | table[Int(bytes[position + 2])]
                | table[Int(bytes[position + 3])] | table[Int(bytes[position + 4])] | table[Int(bytes[position + 5])]
                | table[Int(bytes[position + 6])] | table[Int(bytes[position + 7])]
            if marks != 0 { break }
            position += 8
        }
        while position < count && table[Int(bytes[position])] == 0 { position += 1 }
        return position
    }

    /// A 256-entry table marking `members` (ASCII) with 1, for `firstIndex(from:markedIn:)`.
    static func table(marking members: String) -> [UInt8] {
        (0..<256).map { byte in members.utf8.contains(UInt8(byte)) ? 1 : 0 }
    }

    /// The number of consecutive ASCII digits starting at `index`.
    @inline(__always) func digitRun(at index: Int) -> Int {
        end(from: index, while: ByteClass.isDigit) - index
    }
}
