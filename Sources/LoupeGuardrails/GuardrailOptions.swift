import LoupeCore

/// A check's options as written in config, with typed readers that name the key when a value is wrong.
public struct GuardrailOptions: Sendable, Hashable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// Refuses keys outside `allowed`, so a misspelt option is not silently ignored.
    public func allowOnly(_ allowed: [String]) throws(GuardrailOptionError) {
        for key in values.keys.sorted() where !allowed.contains(key) {
            let expected = allowed.isEmpty ? "this check takes no options" : "expected one of: \(allowed.joined(separator: ", "))"
            throw GuardrailOptionError(key: key, message: "unknown option; \(expected)")
        }
    }

    public func string(_ key: String) throws(GuardrailOptionError) -> String? {
        guard let value = values[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw GuardrailOptionError(key: key, message: "expected a string") }
        return text
    }

    /// A list of strings; a single string counts as a list of one.
    public func strings(_ key: String) throws(GuardrailOptionError) -> [String]? {
        guard let value = values[key], value != .null else { return nil }
        switch value {
        case .string(let text): return [text]
        case .array(let items):
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw GuardrailOptionError(key: key, message: "expected a list of strings") }
                result.append(text)
            }
            return result
        default: throw GuardrailOptionError(key: key, message: "expected a list of strings")
        }
    }

    public func double(_ key: String, in range: ClosedRange<Double>) throws(GuardrailOptionError) -> Double? {
        guard let value = values[key], value != .null else { return nil }
        let number: Double? = switch value {
        case .number(let number): number
        case .string(let text): Double(text)
        default: nil
        }
        guard let number, range.contains(number) else {
            throw GuardrailOptionError(key: key, message: "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    public func int(_ key: String, in range: ClosedRange<Int>) throws(GuardrailOptionError) -> Int? {
        guard let number = try double(key, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard number == number.rounded() else { throw GuardrailOptionError(key: key, message: "expected a whole number") }
        return Int(number)
    }

    public func bool(_ key: String) throws(GuardrailOptionError) -> Bool? {
        guard let value = values[key], value != .null else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default: throw GuardrailOptionError(key: key, message: "expected true or false")
        }
    }
}

/// A check's option is missing, unknown or has the wrong kind of value.
public struct GuardrailOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The option at fault; nil when the options as a whole are wrong.
    public var key: String?
    public var message: String

    public init(key: String?, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}
