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
    var text: String { writer.text }

    /// Compact JSON as bytes.
    var bytes: [UInt8] { writer.bytes }

    private var writer: JSONWriter {
        var writer = JSONWriter(capacity: 512)
        write(to: &writer)
        return writer
    }

    /// Appends compact JSON text to `output`.
    func write(to output: inout String) {
        output += text
    }

    /// Writes the value as compact JSON: straight to bytes, which keeps the fake cheap as a load test's upstream.
    func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .int(let value): writer.number(Int64(value))
        case .double(let value): writer.number(value)
        case .string(let value): writer.string(value)
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for member in members {
                writer.key(member.key)
                member.value.write(to: &writer)
            }
            writer.endObject()
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
