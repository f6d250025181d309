/// `max_input_tokens`: text estimated at more than `max` tokens.
///
/// The estimate needs no tokenizer and errs high: a run of ASCII letters counts one token per six letters
/// (rounded up), a run of digits one per three (as OpenAI's tokenizers split numbers), and every other
/// visible character, and every non-ASCII character, one each. On English prose it lands 0–20% above
/// cl100k's count; on CJK text it counts one token per character, where tokenizers use one or more.
public struct MaxInputTokensCheck: GuardrailCheck {
    public let name = "max_input_tokens"
    public let canRedact = false
    public let needsCompleteText = true
    public let judgesAllTextsTogether = true
    public let max: Int

    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["max"])
        guard let max = try options.int("max", in: 1...Int(Int32.max)) else {
            throw GuardrailOptionError(key: "max", message: "required: the most tokens allowed, such as max: 8000")
        }
        self.max = max
    }

    public func findings(in text: UnsafeBufferPointer<UInt8>) throws -> [GuardrailFinding] {
        let tokens = Self.estimateTokens(text)
        guard tokens > max else { return [] }
        return [GuardrailFinding(category: "too_many_tokens", detail: "about \(tokens) tokens, more than the \(max) allowed")]
    }

    /// The token estimate described above.
    public static func estimateTokens(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var tokens = 0
        var letters = 0
        var digits = 0
        for byte in text {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                letters += 1
                if digits > 0 { tokens += (digits + 2) / 3; digits = 0 }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if letters > 0 { tokens += (letters + 5) / 6; letters = 0 }
            default:
                if letters > 0 { tokens += (letters + 5) / 6; letters = 0 }
                if digits > 0 { tokens += (digits + 2) / 3; digits = 0 }
                // Spaces join the next word's token; a UTF-8 continuation byte belongs to its character.
                if byte > 0x20 && byte & 0xC0 != 0x80 { tokens += 1 }
            }
        }
        return tokens + (letters + 5) / 6 + (digits + 2) / 3
    }
}
