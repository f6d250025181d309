/// Compact JSON text without going through `JSONEncoder`: object keys sorted, `/` not escaped.
extension JSONValue {
    /// Compact JSON text for this value.
    public var jsonText: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// Appends this value's JSON text to `output`.
    public func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value): Self.writeNumber(value, to: &output)
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let items):
            output += "["
            for (position, item) in items.enumerated() {
                if position > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                members[key]!.write(to: &output)
            }
            output += "}"
        }
    }

    /// Whole numbers print without a fraction (token counts stay `5`, not `5.0`); others in Swift's
    /// shortest round-tripping form. JSON has no NaN or infinity, so those print as null.
    static func writeNumber(_ value: Double, to output: inout String) {
        guard value.isFinite else {
            output += "null"
            return
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            output += String(Int64(value))
        } else {
            output += "\(value)"
        }
    }

    /// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
    public static func writeString(_ value: String, to output: inout String) {
        output += "\""
        var pendingStart = value.utf8.startIndex
        let utf8 = value.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            let escape: String? = switch byte {
            case UInt8(ascii: "\""): "\\\""
            case UInt8(ascii: "\\"): "\\\\"
            case 0x0A: "\\n"
            case 0x0D: "\\r"
            case 0x09: "\\t"
            case 0x08: "\\b"
            case 0x0C: "\\f"
            case 0x00..<0x20: "\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            default: nil
            }
            if let escape {
                output += value[pendingStart..<index]
                output += escape
                pendingStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        output += value[pendingStart..<utf8.endIndex]
        output += "\""
    }
}
