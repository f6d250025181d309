import LoupeCore

/// Reads protocol buffers' wire format field by field: just enough for the OTLP messages Loupe decodes.
struct ProtobufReader {
    /// A field's payload, by wire type.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// The next field's number and value; nil at the end. Groups (wire types 3, 4) are not OTLP's and fail.
    mutating func next() throws(OTLPDecodeError) -> (field: Int, value: Value)? {
        guard position < bytes.endIndex else { return nil }
        let key = try varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 else { throw OTLPDecodeError("field number 0 at byte \(position)") }
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed(8)))
        case 5: return (field, .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw OTLPDecodeError("field \(field) says \(length) bytes, only \(bytes.endIndex - position) remain")
            }
            let start = position
            position += Int(length)
            return (field, .bytes(bytes[start..<position]))
        default:
            throw OTLPDecodeError("unsupported wire type \(key & 7) for field \(field)")
        }
    }

    private mutating func varint() throws(OTLPDecodeError) -> UInt64 {
        guard let value = Varint.read(bytes, at: &position) else { throw OTLPDecodeError("truncated or overlong varint") }
        return value
    }

    private mutating func fixed(_ width: Int) throws(OTLPDecodeError) -> UInt64 {
        guard bytes.endIndex - position >= width else { throw OTLPDecodeError("truncated fixed-width field") }
        var result: UInt64 = 0
        for index in 0..<width { result |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += width
        return result
    }
}

extension ProtobufReader.Value {
    /// The payload of a length-delimited field, or an error naming `field`.
    func bytes(_ field: String) throws(OTLPDecodeError) -> ArraySlice<UInt8> {
        guard case .bytes(let bytes) = self else { throw OTLPDecodeError("\(field) is not length-delimited") }
        return bytes
    }

    /// A UTF-8 string field.
    func string(_ field: String) throws(OTLPDecodeError) -> String {
        guard let text = String(validating: try bytes(field), as: UTF8.self) else { throw OTLPDecodeError("\(field) is not valid UTF-8") }
        return text
    }

    /// A varint field (int32, int64, uint64, bool, enum).
    func varint(_ field: String) throws(OTLPDecodeError) -> UInt64 {
        guard case .varint(let value) = self else { throw OTLPDecodeError("\(field) is not a varint") }
        return value
    }

    /// A fixed64 field (fixed64, double).
    func fixed64(_ field: String) throws(OTLPDecodeError) -> UInt64 {
        guard case .fixed64(let value) = self else { throw OTLPDecodeError("\(field) is not a fixed64") }
        return value
    }
}
