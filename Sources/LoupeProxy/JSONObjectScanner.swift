import LoupeCore

/// Finds the members of a JSON object in its bytes without decoding the values.
///
/// Used to edit a request body in place (swap the model, add `stream_options`) so that what goes
/// upstream is the client's own bytes with the smallest possible change. The input must already be
/// known to be valid JSON.
public struct JSONObjectScanner {
    /// One member: the decoded key and the byte ranges of the whole member and of its value.
    public struct Member {
        public var key: String
        public var memberRange: Range<Int>
        public var valueRange: Range<Int>
    }

    /// The members of the object in `bytes`, in order; nil when the bytes are not an object.
    public static func members(of bytes: [UInt8]) -> (members: [Member], openBrace: Int, closeBrace: Int)? {
        var index = 0
        skipWhitespace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        let open = index
        index += 1
        var members: [Member] = []
        while true {
            skipWhitespace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return (members, open, index) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            let memberStart = index
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = skipString(bytes, index) else { return nil }
            let key = decodeString(bytes[(index + 1)..<(keyEnd - 1)])
            index = keyEnd
            skipWhitespace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace(bytes, &index)
            let valueStart = index
            guard let valueEnd = skipValue(bytes, index) else { return nil }
            members.append(Member(key: key, memberRange: memberStart..<valueEnd, valueRange: valueStart..<valueEnd))
            index = valueEnd
        }
    }

    /// The object without its member `key` (and the comma that joined it); nil when there is no such member.
    public static func removingMember(_ key: String, from bytes: [UInt8]) -> [UInt8]? {
        guard let scan = members(of: bytes), let index = scan.members.firstIndex(where: { $0.key == key }) else { return nil }
        let member = scan.members[index]
        let range: Range<Int>
        if index > 0 {
            range = scan.members[index - 1].valueRange.upperBound..<member.memberRange.upperBound
        } else if index + 1 < scan.members.count {
            range = member.memberRange.lowerBound..<scan.members[index + 1].memberRange.lowerBound
        } else {
            range = member.memberRange
        }
        var result = bytes
        result.removeSubrange(range)
        return result
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// The index just past the string starting at `start` (which is a quote).
    private static func skipString(_ bytes: [UInt8], _ start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index just past the value starting at `start`.
    private static func skipValue(_ bytes: [UInt8], _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return skipString(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(bytes, index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                index += 1
            }
            return index
        }
    }

    /// Decodes the escapes in a JSON string's contents.
    static func decodeString(_ contents: ArraySlice<UInt8>) -> String {
        guard contents.contains(UInt8(ascii: "\\")) else { return String(decoding: contents, as: UTF8.self) }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        quoted.append(contentsOf: contents)
        quoted.append(UInt8(ascii: "\""))
        if case .string(let text)? = JSONValue.parse(String(decoding: quoted, as: UTF8.self)) { return text }
        return String(decoding: contents, as: UTF8.self)
    }
}
