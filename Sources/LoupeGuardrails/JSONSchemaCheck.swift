import LoupeCore

/// Flags a text that is not JSON (`invalid_json`) or does not match a JSON Schema (one
/// `schema_mismatch` per violation, at most 20), for routes whose client expects structured output.
///
/// The schema is compiled once, here, and refused if it uses a keyword the validator cannot enforce
/// (see `JSONSchema`). A text that is one fenced Markdown block is judged by its contents, as in
/// `JSONValidCheck`.
///
/// Options:
/// - `schema` (required): the JSON Schema, inline; the config loader reads `schema_file` into it.
/// - `extract_from_markdown` (default true): judge the contents of a text that is one fenced block.
public struct JSONSchemaCheck: GuardrailCheck {
    public let name = "json_schema"
    /// The compiled schema texts must match.
    public let schema: JSONSchema
    /// Whether a text that is one fenced Markdown code block is judged by the block's contents.
    public var extractFromMarkdown: Bool

    public var canRedact: Bool { false }
    public var needsCompleteText: Bool { true }

    /// Reads and compiles `schema`, and reads `extract_from_markdown`.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["schema", "extract_from_markdown"])
        guard let value = options.values["schema"], value != .null else {
            throw GuardrailOptionError(key: "schema", message: "required: the JSON Schema that texts must match, inline as `schema` or from a file as `schema_file`")
        }
        do throws(JSONSchema.InvalidSchema) {
            schema = try JSONSchema(value)
        } catch {
            throw GuardrailOptionError(key: "schema", message: error.description)
        }
        extractFromMarkdown = try options.bool("extract_from_markdown") ?? true
    }

    /// `invalid_json` when the text is not JSON, else one `schema_mismatch` per violation; each
    /// finding's detail is the violation, such as `/answer: expected string, found number`.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        switch JSONValidCheck.parse(text, extractFromMarkdown: extractFromMarkdown) {
        case .failure(let error):
            [GuardrailFinding(category: "invalid_json", detail: "not valid JSON: \(error)")]
        case .success(let value):
            schema.validate(value).map { GuardrailFinding(category: "schema_mismatch", detail: $0.description) }
        }
    }

    /// Why `text` fails, for the error a client sees: one violation saying it is not JSON (such as
    /// `not valid JSON: unexpected character 'H' at byte 0`), or where it breaks the schema (such as
    /// `/answer: expected string, found number`); empty when it passes.
    public func violations(in text: UnsafeBufferPointer<UInt8>, limit: Int = 20) -> [JSONSchema.Violation] {
        switch JSONValidCheck.parse(text, extractFromMarkdown: extractFromMarkdown) {
        case .failure(let error):
            [JSONSchema.Violation(pointer: "", message: "not valid JSON: \(error)")]
        case .success(let value):
            schema.validate(value, limit: limit)
        }
    }

    /// Why a Swift string fails; see `violations(in:limit:)` for UTF-8 bytes.
    public func violations(in text: String, limit: Int = 20) -> [JSONSchema.Violation] {
        var text = text
        return text.withUTF8 { violations(in: $0, limit: limit) }
    }
}
