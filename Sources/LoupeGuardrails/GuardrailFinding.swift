/// Something a check found in a text: a span it can mask, or a fault of the whole text.
public struct GuardrailFinding: Sendable, Hashable {
    /// What was found, such as `email`, `aws_access_key` or `schema_mismatch`.
    public var category: String
    /// UTF-8 byte offsets into the checked text; nil when the whole text is at fault (invalid JSON).
    public var range: Range<Int>?
    /// Why, for whole-text faults, such as `/answer: expected string, found number`; never the matched text.
    public var detail: String?

    public init(category: String, range: Range<Int>? = nil, detail: String? = nil) {
        self.category = category
        self.range = range
        self.detail = detail
    }
}
