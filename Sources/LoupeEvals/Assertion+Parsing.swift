import LoupeCore
import LoupeGuardrails

/// An assertion as written that cannot be used: which key, and what was expected.
public struct AssertionSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending key (`type`, `value`, …), or nil for the assertion as a whole.
    public var key: String?
    public var message: String

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}

extension Assertion {
    static let keys = ["type", "value", "threshold", "weight", "metric", "provider"]

    /// Reads `{type, value, threshold, weight, metric, provider}`, checking what can be checked before a run:
    /// the type is known, values have the right shape, patterns and schemas compile.
    public init(parsing spec: JSONValue) throws(AssertionSpecError) {
        guard case .object(let members) = spec else {
            throw AssertionSpecError(key: nil, message: "expected an assertion such as {type: icontains, value: \"{{expected}}\"}")
        }
        if let unknown = members.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw AssertionSpecError(key: unknown, message: "unknown key; expected one of: \(Self.keys.joined(separator: ", "))")
        }
        guard case .string(let type)? = members["type"] else {
            throw AssertionSpecError(key: "type", message: "required: one of \(AssertionKind.names.joined(separator: ", ")), each also as not-<type>")
        }
        let negated = type.hasPrefix("not-")
        guard let kind = AssertionKind(rawValue: negated ? String(type.dropFirst(4)) : type) else {
            throw AssertionSpecError(
                key: "type", message: "unknown assertion type '\(type)'; expected one of: \(AssertionKind.names.joined(separator: ", ")) (each also as not-<type>)"
            )
        }
        func number(_ key: String) throws(AssertionSpecError) -> Double? {
            switch members[key] {
            case nil, .null?: return nil
            case .number(let value)?: return value
            default: throw AssertionSpecError(key: key, message: "expected a number")
            }
        }
        func text(_ key: String) throws(AssertionSpecError) -> String? {
            switch members[key] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw AssertionSpecError(key: key, message: "expected a string")
            }
        }
        let weight = try number("weight") ?? 1
        guard weight >= 0 else { throw AssertionSpecError(key: "weight", message: "expected a weight of 0 or more") }
        self.init(
            kind: kind, negated: negated, value: members["value"].flatMap { $0 == .null ? nil : $0 }, threshold: try number("threshold"),
            weight: weight, metric: try text("metric"), provider: try text("provider")
        )
        try validate()
    }

    /// The checks on shape that every type makes of its value and threshold.
    func validate() throws(AssertionSpecError) {
        func requireValue(_ what: String) throws(AssertionSpecError) -> JSONValue {
            guard let value else { throw AssertionSpecError(key: "value", message: "\(kind.rawValue) needs a value: \(what)") }
            return value
        }
        func isTemplate(_ value: JSONValue) -> Bool { value.stringValue?.contains("{{") ?? false }
        switch kind {
        case .equals, .contains, .icontains, .startsWith, .levenshtein, .factuality, .llmRubric:
            let value = try requireValue("the text to compare with")
            if kind != .equals, value.stringValue == nil { throw AssertionSpecError(key: "value", message: "\(kind.rawValue) expects a string") }
        case .containsAny, .containsAll:
            let value = try requireValue("a list of strings")
            switch value {
            case .string: break
            case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): break
            default: throw AssertionSpecError(key: "value", message: "\(kind.rawValue) expects a list of strings, or one comma-separated string")
            }
        case .rougeN, .bleu, .similar:
            let value = try requireValue("the reference text, or a list of them")
            switch value {
            case .string: break
            case .array(let items) where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): break
            default: throw AssertionSpecError(key: "value", message: "\(kind.rawValue) expects a reference text or a list of them")
            }
        case .regex:
            guard case .string(let pattern) = try requireValue("a regular expression") else {
                throw AssertionSpecError(key: "value", message: "regex expects a pattern string")
            }
            if !pattern.contains("{{") {
                do { _ = try LinearRegex(pattern) } catch { throw AssertionSpecError(key: "value", message: "not a usable pattern: \(error)") }
            }
        case .isJSON, .containsJSON, .jsonSchema:
            if kind == .jsonSchema { _ = try requireValue("a JSON Schema") }
            if let value, !isTemplate(value) {
                guard case .object = value else { throw AssertionSpecError(key: "value", message: "\(kind.rawValue) expects a JSON Schema object") }
                do { _ = try JSONSchema(value) } catch { throw AssertionSpecError(key: "value", message: "not a usable JSON Schema: \(error)") }
            }
        case .wordCount:
            switch try requireValue("a number of words, or {min, max}") {
            case .number: break
            case .object(let bounds) where !bounds.isEmpty && bounds.keys.allSatisfy({ ["min", "max"].contains($0) }) && bounds.values.allSatisfy({ if case .number = $0 { true } else { false } }): break
            default: throw AssertionSpecError(key: "value", message: "word-count expects a number, or {min, max}")
            }
        case .latency, .cost:
            guard let threshold else {
                throw AssertionSpecError(key: "threshold", message: kind == .latency ? "latency needs a threshold in milliseconds" : "cost needs a threshold in US dollars")
            }
            guard threshold >= 0 else { throw AssertionSpecError(key: "threshold", message: "expected 0 or more") }
        case .finishReason:
            guard try requireValue("a finish reason such as stop").stringValue != nil else {
                throw AssertionSpecError(key: "value", message: "finish-reason expects a string such as stop or length")
            }
        case .toolCall:
            guard case .object(let call) = try requireValue("{name, arguments}"), call["name"]?.stringValue != nil else {
                throw AssertionSpecError(key: "value", message: "tool-call expects {name: …, arguments: {…}}")
            }
        case .guardrail:
            if let value, value.stringValue == nil { throw AssertionSpecError(key: "value", message: "guardrail expects a policy name") }
        case .isValidOpenAIToolsCall:
            break
        }
    }
}
