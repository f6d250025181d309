/// Compact JSON text without going through `JSONEncoder`: object keys sorted, `/` not escaped.
extension JSONValue {
    /// Compact JSON text for this value.
    public var jsonText: String {
        var writer = JSONWriter()
        writer.value(self)
        return writer.text
    }

    /// Appends this value's JSON text to `output`.
    public func write(to output: inout String) {
        output += jsonText
    }

    /// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
    public static func writeString(_ value: String, to output: inout String) {
        var writer = JSONWriter(capacity: value.utf8.count + 2)
        writer.string(value)
        output += writer.text
    }
}
