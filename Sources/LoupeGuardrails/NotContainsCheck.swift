/// `not_contains`: text that includes any of the listed values, such as a competitor's name or an internal host.
public struct NotContainsCheck: GuardrailCheck {
    public let name = "not_contains"
    let searches: [ByteSearch]
    let category: String
    let maskText: String

    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["value", "values", "case_insensitive", "category", "mask"])
        let values = (try options.strings("value") ?? []) + (try options.strings("values") ?? [])
        guard !values.isEmpty, !values.contains("") else {
            throw GuardrailOptionError(key: "values", message: "required: the text that must not appear, such as values: [\"internal.example.com\"]")
        }
        let ignoringCase = try options.bool("case_insensitive") ?? false
        searches = values.map { ByteSearch($0, ignoringCase: ignoringCase) }
        category = try options.string("category") ?? "forbidden_content"
        maskText = try options.string("mask") ?? "[REDACTED]"
    }

    public func mask(for category: String) -> String { maskText }

    public func findings(in text: UnsafeBufferPointer<UInt8>) throws -> [GuardrailFinding] {
        var ranges = searches.flatMap { $0.ranges(in: text) }
        guard !ranges.isEmpty else { return [] }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        return ranges.map { GuardrailFinding(category: category, range: $0) }
    }
}
