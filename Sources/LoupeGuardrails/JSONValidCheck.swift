import LoupeCore

/// Flags a text that is not JSON (`invalid_json`), for routes whose client expects a JSON answer.
///
/// Any JSON value passes, scalars included, as RFC 8259 allows. Models often wrap JSON in a Markdown
/// fence, so by default a text that is exactly one fenced block (a line of three backticks and `json`,
/// the JSON, then three backticks; only whitespace around it) is judged by the block's contents. Prose
/// before or after the fence ("Here is the JSON: …") still fails: a client that asked for JSON could
/// not parse the text as given.
///
/// Options:
/// - `extract_from_markdown` (default true): judge the contents of a text that is one fenced block.
public struct JSONValidCheck: GuardrailCheck {
    public let name = "json_valid"
    /// Whether a text that is one fenced Markdown code block is judged by the block's contents.
    public var extractFromMarkdown: Bool

    public var canRedact: Bool { false }
    public var needsCompleteText: Bool { true }

    /// Reads `extract_from_markdown`.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["extract_from_markdown"])
        extractFromMarkdown = try options.bool("extract_from_markdown") ?? true
    }

    /// One `invalid_json` finding, for the whole text, when it is not JSON; its detail says where it
    /// stops being JSON, such as `not valid JSON: unexpected character 'H' at byte 0`.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        guard let error = syntaxError(in: text) else { return [] }
        return [GuardrailFinding(category: "invalid_json", detail: "not valid JSON: \(error)")]
    }

    /// Why `text` is not JSON, with the byte offset into `text` itself; nil when it is JSON.
    public func syntaxError(in text: UnsafeBufferPointer<UInt8>) -> JSONValue.SyntaxError? {
        if case .failure(let error) = Self.parse(text, extractFromMarkdown: extractFromMarkdown) { return error }
        return nil
    }

    /// Parses `text`, or the inside of the fenced block it consists of, reporting offsets into `text`.
    static func parse(_ text: UnsafeBufferPointer<UInt8>, extractFromMarkdown: Bool) -> Result<JSONValue, JSONValue.SyntaxError> {
        let span = extractFromMarkdown ? fencedContents(of: text) ?? 0..<text.count : 0..<text.count
        do throws(JSONValue.SyntaxError) {
            return .success(try JSONValue.parse(bytes: UnsafeBufferPointer(rebasing: text[span])))
        } catch {
            var error = error
            error.offset += span.lowerBound
            return .failure(error)
        }
    }

    /// The contents of the one fenced code block that makes up `text` (whitespace around it allowed),
    /// or nil when `text` is not one.
    ///
    /// The opening fence is three or more backticks or tildes and an info string (`json`, or anything)
    /// ending the line. The closing fence is a run of at least as many of the same character at the very
    /// end; unlike CommonMark it may follow the last line of JSON directly (`}```), which models do
    /// write. JSON cannot start with a backtick or tilde, so a bare JSON text is never mistaken for one.
    static func fencedContents(of text: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var start = 0
        var end = text.count
        while start < end, isWhitespace(text[start]) { start += 1 }
        while end > start, isWhitespace(text[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        let fence = text[start]
        guard fence == UInt8(ascii: "`") || fence == UInt8(ascii: "~") else { return nil }
        var cursor = start
        while cursor < end, text[cursor] == fence { cursor += 1 }
        let fenceLength = cursor - start
        guard fenceLength >= 3 else { return nil }
        // The info string runs to the end of the line; for backtick fences it may not hold a backtick.
        while cursor < end, text[cursor] != UInt8(ascii: "\n") {
            if fence == UInt8(ascii: "`"), text[cursor] == fence { return nil }
            cursor += 1
        }
        guard cursor < end else { return nil }
        let contentStart = cursor + 1
        var closeStart = end
        while closeStart > contentStart, text[closeStart - 1] == fence { closeStart -= 1 }
        guard end - closeStart >= fenceLength else { return nil }
        return contentStart..<closeStart
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
