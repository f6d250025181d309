import LoupeCore
import LoupePrompts
import Mustache

/// Mustache text rendered with a case's variables, as prompts are: plain text, nothing HTML-escaped.
public enum EvalTemplate {
    /// A template that does not parse.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Renders `text` with `vars`; text without tags comes back as it is.
    public static func render(_ text: String, vars: [String: JSONValue]) throws(SyntaxError) -> String {
        guard text.contains("{{") else { return text }
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: plainText + text)
        } catch {
            throw SyntaxError(description: "the template '\(text.prefix(60))' does not parse: \(error)")
        }
        return template.render(vars.mapValues(mustacheValue))
    }

    /// The CONTENT_TYPE pragma turns off HTML escaping, as Loupe's prompt renderer does: `'` stays `'`.
    static let plainText = "{{% CONTENT_TYPE: TEXT}}"

    /// JSON as Mustache reads it, exactly as registry prompts render.
    static func mustacheValue(_ value: JSONValue) -> Any { PromptRenderer.mustacheValue(value) }
}
