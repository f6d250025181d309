import LoupeCore

/// A JSON value that keeps its object keys in order, so the fake's replies read like OpenAI's.
///
/// The fake parses request bodies into it and writes replies from it; both directions avoid
/// `Codable` so the fake stays cheap when it is the upstream of a load test.
enum FakeJSON: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([FakeJSON])
    case object([(key: String, value: FakeJSON)])

    /// The member of an object, or nil.
    subscript(key: String) -> FakeJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, or nil when this is not a string.
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// True only for the JSON literal `true`.
    var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }

    /// The number as an integer, or nil when this is not a whole number.
    var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    /// Compact JSON text.
    var text: String {
        var output = ""
        output.reserveCapacity(512)
        write(to: &output)
        return output
    }

    /// Appends compact JSON text to `output`.
    func write(to output: inout String) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .int(let value):
            output += String(value)
        case .double(let value):
            output += value.isFinite ? value.description : "null"
        case .string(let value):
            JSONValue.writeString(value, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }
}

extension FakeJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: FakeJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, FakeJSON)...) { self = .object(elements.map { (key: $0.0, value: $0.1) }) }
}
