import LoupeCore

/// Finds JSON objects and arrays inside prose, a ```json fence or a judge's answer, for `contains-json` and
/// for reading model-graded verdicts.
enum JSONExtraction {
    /// How many `{` or `[` starts are tried before giving up, so a text full of brackets stays cheap.
    static let maxAttempts = 64

    /// The JSON objects and arrays in `text`, in order, none nested in another; at most `limit` of them.
    ///
    /// Each candidate start is followed to its balanced closing bracket (brackets inside strings do not
    /// count) and that span is parsed; a span that does not parse is skipped, and the next start is tried.
    static func values(in text: String, objectsOnly: Bool = false, limit: Int = 16) -> [JSONValue] {
        let bytes = Array(text.utf8)
        var found: [JSONValue] = []
        var attempts = 0
        var start = 0
        while start < bytes.count, found.count < limit, attempts < maxAttempts {
            let byte = bytes[start]
            guard byte == UInt8(ascii: "{") || (!objectsOnly && byte == UInt8(ascii: "[")) else {
                start += 1
                continue
            }
            attempts += 1
            if let end = balancedEnd(bytes, from: start), let value = try? JSONValue.parse(bytes: bytes[start...end]) {
                found.append(value)
                start = end + 1
            } else {
                start += 1
            }
        }
        return found
    }

    /// The first JSON object in `text`, or nil.
    static func firstObject(in text: String) -> [String: JSONValue]? {
        guard case .object(let members)? = values(in: text, objectsOnly: true, limit: 1).first else { return nil }
        return members
    }

    /// The index of the bracket that closes the one at `start`, skipping strings; nil when it never closes.
    static func balancedEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index }
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}
