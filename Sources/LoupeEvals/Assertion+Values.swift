import LoupeCore
import LoupeGuardrails

extension Assertion {
    /// The failure for a value of the wrong shape, naming the type and what it takes.
    func badValue(_ value: JSONValue?, expected: String) -> CheckFailure {
        CheckFailure("\(typeName) expects \(expected), got \(ReasonText.kindName(value))")
    }

    /// The value as text: a string, or a number as a template prints it (Promptfoo's `contains` takes numbers
    /// too). Empty text is refused unless `allowEmpty`, since "contains ''" always passes.
    func text(_ value: JSONValue?, expected: String, allowEmpty: Bool = false) throws(CheckFailure) -> String {
        guard let value, value.isTextLike, let text = ReasonText.scalarText(value) else { throw badValue(value, expected: expected) }
        if text.isEmpty, !allowEmpty { throw CheckFailure("\(typeName) expects \(expected), got an empty string") }
        return text
    }

    /// A list of texts: a list of strings (or numbers), or one comma-separated string as Promptfoo allows, where
    /// items are trimmed and a double-quoted item may hold commas (`"a, b", c`). Empty items are dropped.
    func textList(_ value: JSONValue?, expected: String) throws(CheckFailure) -> [String] {
        let items: [String]
        switch value {
        case .string(let text)?:
            items = Self.commaSeparated(text)
        case .array(let values)?:
            var texts: [String] = []
            for item in values {
                switch item {
                case .string, .number: texts.append(ReasonText.scalarText(item) ?? "")
                case .null, .bool, .array, .object:
                    throw CheckFailure("\(typeName) expects \(expected), got a list holding \(ReasonText.kindName(item))")
                }
            }
            items = texts.filter { !$0.isEmpty }
        default:
            throw badValue(value, expected: expected)
        }
        guard !items.isEmpty else { throw CheckFailure("\(typeName) expects \(expected), got no non-empty item") }
        return items
    }

    /// Splits `a, "b, c", d` into `a`, `b, c`, `d`. A quote opens only at the start of an item; elsewhere it is
    /// a literal character.
    static func commaSeparated(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var closed = false
        for character in text {
            if quoted {
                if character == "\"" {
                    quoted = false
                    closed = true
                } else {
                    current.append(character)
                }
            } else if character == "," {
                items.append(closed ? current : trimmed(current))
                current = ""
                closed = false
            } else if closed {
                continue  // what follows a closing quote, up to the comma, is dropped
            } else if character == "\"", current.allSatisfy(\.isWhitespace) {
                current = ""
                quoted = true
            } else {
                current.append(character)
            }
        }
        items.append(closed || quoted ? current : trimmed(current))
        return items.filter { !$0.isEmpty }
    }

    /// `text` without leading and trailing whitespace.
    static func trimmed(_ text: some StringProtocol) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// The JSON Schema in `value`: an object, or a string holding one as JSON text. Nil when there is no value
    /// and `required` is false.
    func schema(_ value: JSONValue?, required: Bool) throws(CheckFailure) -> JSONSchema? {
        let expected = "a JSON Schema object"
        var schemaValue: JSONValue
        switch value {
        case nil, .null?:
            guard required else { return nil }
            throw badValue(value, expected: expected)
        case .object?:
            schemaValue = value!
        case .string(let text)?:
            guard let parsed = JSONValue.parse(text), case .object = parsed else { throw badValue(value, expected: expected) }
            schemaValue = parsed
        default:
            throw badValue(value, expected: expected)
        }
        do {
            return try JSONSchema(schemaValue)
        } catch {
            throw CheckFailure("\(typeName): the schema cannot be used: \(error)")
        }
    }

    /// The threshold, or `fallback` when none is set.
    func threshold(default fallback: Double) -> Double {
        threshold ?? fallback
    }

    /// Up to three violations, for a reason.
    static func describe(_ violations: [JSONSchema.Violation]) -> String {
        let shown = violations.prefix(3).map(\.description).joined(separator: "; ")
        return violations.count > 3 ? "\(shown); …" : shown
    }

    /// Up to `limit` texts quoted and joined, for a reason.
    static func quoteList(_ items: [String], limit: Int = 8) -> String {
        let shown = items.prefix(limit).map { ReasonText.quote($0, limit: 40) }.joined(separator: ", ")
        return items.count > limit ? "\(shown), … (\(items.count) in all)" : shown
    }
}

extension JSONValue {
    /// Strings and numbers, which checks read as text.
    fileprivate var isTextLike: Bool {
        switch self {
        case .string, .number: true
        case .null, .bool, .array, .object: false
        }
    }
}
