/// A deterministic test of a text, such as "contains an email address" or "is not valid JSON".
///
/// Checks run on the request path, so each one is built once from its options and must scan in time
/// linear in the text's length, whatever the text holds.
public protocol GuardrailCheck: Sendable {
    /// The name used in config and on traces, such as `pii`.
    var name: String { get }
    /// Whether findings carry spans that the `redact` action can mask.
    var canRedact: Bool { get }
    /// True when only a complete text can be judged (JSON validity), so a stream's output is held until it ends.
    var needsCompleteText: Bool { get }
    /// True for checks of size (`max_chars`, `max_input_tokens`): on input they see all of a request's text at once.
    var judgesAllTextsTogether: Bool { get }
    /// The text that replaces a redacted span of `category`, such as `[EMAIL]`.
    func mask(for category: String) -> String
    /// Scans UTF-8 `text` and returns what it found, in order of position; empty when the text passes.
    func findings(in text: UnsafeBufferPointer<UInt8>) throws -> [GuardrailFinding]
}

extension GuardrailCheck {
    public var canRedact: Bool { true }
    public var needsCompleteText: Bool { false }
    public var judgesAllTextsTogether: Bool { false }
    public func mask(for category: String) -> String { "[\(category.uppercased())]" }

    /// Scans a Swift string.
    public func findings(in text: String) throws -> [GuardrailFinding] {
        var text = text
        return try text.withUTF8 { try findings(in: $0) }
    }
}
