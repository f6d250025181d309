/// `contains`: output that lacks required text, such as a disclaimer. Judges the whole text.
public struct ContainsCheck: GuardrailCheck {
    public let name = "contains"
    public let canRedact = false
    public let needsCompleteText = true
    let searches: [ByteSearch]
    let values: [String]
    /// True when every value must appear; false when any one is enough.
    let requireAll: Bool

    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["value", "values", "mode", "case_insensitive"])
        let values = (try options.strings("value") ?? []) + (try options.strings("values") ?? [])
        guard !values.isEmpty, !values.contains("") else {
            throw GuardrailOptionError(key: "values", message: "required: the text that must appear, such as values: [\"Sources:\"]")
        }
        switch try options.string("mode") ?? "all" {
        case "all": requireAll = true
        case "any": requireAll = false
        case let other: throw GuardrailOptionError(key: "mode", message: "unknown mode '\(other)'; expected all or any")
        }
        let ignoringCase = try options.bool("case_insensitive") ?? false
        self.values = values
        self.searches = values.map { ByteSearch($0, ignoringCase: ignoringCase) }
    }

    public func findings(in text: UnsafeBufferPointer<UInt8>) throws -> [GuardrailFinding] {
        let missing = zip(values, searches).filter { !$0.1.occurs(in: text) }.map(\.0)
        let fails = requireAll ? !missing.isEmpty : missing.count == values.count
        guard fails else { return [] }
        let listed = missing.map { "'\($0)'" }.joined(separator: requireAll ? ", " : " or ")
        return [GuardrailFinding(category: "missing_content", detail: "does not contain \(listed)")]
    }
}
