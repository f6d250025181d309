import NIOCore

extension FakeJSON {
    /// Parses a request body; nil when it is not valid JSON.
    static func parse(_ buffer: ByteBuffer) -> FakeJSON? {
        buffer.withUnsafeReadableBytes { bytes in
            var parser = Parser(bytes: bytes)
            return parser.document()
        }
    }

    /// A small recursive-descent JSON parser over UTF-8 bytes.
    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        var depth = 0

        static let maximumDepth = 256

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func document() -> FakeJSON? {
            guard let value = value() else { return nil }
            skipWhitespace()
            return index == bytes.count ? value : nil
        }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        private mutating func consume(_ ascii: Unicode.Scalar) -> Bool {
            guard current == UInt8(ascii: ascii) else { return false }
            index += 1
            return true
        }

        private mutating func value() -> FakeJSON? {
            skipWhitespace()
            guard let byte = current else { return nil }
            switch byte {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string().map(FakeJSON.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return nil
            }
        }

        private mutating func literal(_ word: StaticString, _ value: FakeJSON) -> FakeJSON? {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return nil }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
            index += count
            return value
        }

        private mutating func object() -> FakeJSON? {
            guard depth < Self.maximumDepth else { return nil }
            depth += 1
            defer { depth -= 1 }
            index += 1
            var members: [(key: String, value: FakeJSON)] = []
            skipWhitespace()
            if consume("}") { return .object(members) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                skipWhitespace()
                guard consume(":"), let value = value() else { return nil }
                members.append((key: key, value: value))
                skipWhitespace()
                if consume(",") { continue }
                return consume("}") ? .object(members) : nil
            }
        }

        private mutating func array() -> FakeJSON? {
            guard depth < Self.maximumDepth else { return nil }
            depth += 1
            defer { depth -= 1 }
            index += 1
            var items: [FakeJSON] = []
            skipWhitespace()
            if consume("]") { return .array(items) }
            while true {
                guard let item = value() else { return nil }
                items.append(item)
                skipWhitespace()
                if consume(",") { continue }
                return consume("]") ? .array(items) : nil
            }
        }

        /// Reads a string starting at its opening quote.
        private mutating func string() -> String? {
            index += 1
            let start = index
            var escaped = false
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    let end = index
                    index += 1
                    return escaped ? unescape(start..<end) : String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                case UInt8(ascii: "\\"):
                    escaped = true
                    index += 2
                case 0..<0x20:
                    return nil
                default:
                    index += 1
                }
            }
            return nil
        }

        private func unescape(_ range: Range<Int>) -> String? {
            var output: [UInt8] = []
            output.reserveCapacity(range.count)
            var position = range.lowerBound
            func hex4(at offset: Int) -> UInt32? {
                guard offset + 4 <= range.upperBound else { return nil }
                var value: UInt32 = 0
                for byte in bytes[offset..<offset + 4] {
                    guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
                    value = value << 4 | UInt32(digit)
                }
                return value
            }
            while position < range.upperBound {
                let byte = bytes[position]
                guard byte == UInt8(ascii: "\\") else {
                    output.append(byte)
                    position += 1
                    continue
                }
                guard position + 1 < range.upperBound else { return nil }
                let escape = bytes[position + 1]
                position += 2
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    guard var code = hex4(at: position) else { return nil }
                    position += 4
                    if (0xD800..<0xDC00).contains(code), position + 6 <= range.upperBound,
                        bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
                        let low = hex4(at: position + 2), (0xDC00..<0xE000).contains(low)
                    {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    }
                    output.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
                default:
                    return nil
                }
            }
            return String(decoding: output, as: UTF8.self)
        }

        private mutating func number() -> FakeJSON? {
            let start = index
            var whole = true
            scan: while let byte = current {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    index += 1
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"):
                    whole = false
                    index += 1
                default:
                    break scan
                }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if whole, let value = Int(text) { return .int(value) }
            return Double(text).map(FakeJSON.double)
        }
    }
}
