import LoupeCore

/// Short renderings of values for the reasons in reports.
enum ReasonText {
    /// `text` in single quotes, cut to `limit` characters with an ellipsis.
    static func quote(_ text: String, limit: Int = 80) -> String {
        "'\(cut(text, limit: limit))'"
    }

    /// `text` cut to `limit` characters with an ellipsis.
    static func cut(_ text: String, limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// A number with at most `digits` decimals and no trailing zeros: `0.833`, `5`, `0.0012`.
    static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        return "\(rounded)"
    }

    /// A JSON value as compact JSON text, cut to `limit` characters.
    static func json(_ value: JSONValue, limit: Int = 80) -> String {
        cut(value.jsonText, limit: limit)
    }

    /// A JSON scalar as a template renders it (whole numbers without a decimal point); nil for arrays,
    /// objects and null.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): string
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : "\(number)"
        case .bool(let bool): bool ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// What kind of JSON `value` is, for "got a number" in messages.
    static func kindName(_ value: JSONValue?) -> String {
        switch value {
        case nil: "no value"
        case .null?: "null"
        case .bool?: "a boolean"
        case .number?: "a number"
        case .string?: "a string"
        case .array?: "a list"
        case .object?: "an object"
        }
    }
}
