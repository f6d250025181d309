/// `max_chars`: text longer than `max` characters (Unicode scalars).
public struct MaxCharsCheck: GuardrailCheck {
    public let name = "max_chars"
    public let canRedact = false
    public let needsCompleteText = true
    public let judgesAllTextsTogether = true
    public let max: Int

    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["max"])
        guard let max = try options.int("max", in: 1...Int(Int32.max)) else {
            throw GuardrailOptionError(key: "max", message: "required: the most characters allowed, such as max: 20000")
        }
        self.max = max
    }

    public func findings(in text: UnsafeBufferPointer<UInt8>) throws -> [GuardrailFinding] {
        // Every scalar has exactly one byte that is not a UTF-8 continuation byte.
        guard text.count > max else { return [] }
        var scalars = 0
        for byte in text where byte & 0xC0 != 0x80 { scalars += 1 }
        guard scalars > max else { return [] }
        return [GuardrailFinding(category: "too_long", detail: "\(scalars) characters, more than the \(max) allowed")]
    }
}
