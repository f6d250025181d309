import Foundation
import LoupeCore
import Mustache

/// A prompt version compiled once and rendered many times: Mustache templates in plain-text mode
/// (nothing is HTML-escaped), and the variables a caller must supply.
public struct PromptRenderer: Sendable {
    public let version: PromptVersion
    private let templates: [MustacheTemplate]
    /// Other text prompts that `{{> name}}` includes, by name.
    private let library: MustacheLibrary
    /// Variables used outside any section, here or in an included prompt, which a render must be given, sorted.
    public let requiredVariables: [String]

    /// Compiles every template of `version`, and the text prompts it includes as partials (`partials`, by
    /// name: see `partialNames`); throws `PromptFileError` for one that does not parse.
    public init(_ version: PromptVersion, partials: [String: String] = [:]) throws(PromptFileError) {
        self.version = version
        let texts = Self.texts(of: version.template)
        var templates: [MustacheTemplate] = []
        var required = Set<String>()
        for (index, text) in texts.enumerated() {
            templates.append(try Self.compile(text, file: version.name, line: nil, part: texts.count > 1 ? index : nil))
            required.formUnion(Self.requiredVariables(in: text))
        }
        var library = MustacheLibrary()
        for (name, text) in partials {
            library.register(try Self.compile(text, file: name, line: nil, part: nil), named: name)
            required.formUnion(Self.requiredVariables(in: text))
        }
        self.templates = templates
        self.library = library
        self.requiredVariables = required.sorted()
    }

    /// The prompts `template` includes with `{{> name}}`.
    public static func partialNames(in template: PromptTemplate) -> Set<String> {
        var names = Set<String>()
        for text in texts(of: template) {
            var rest = text[...]
            while let open = rest.range(of: "{{>") {
                rest = rest[open.upperBound...]
                guard let close = rest.range(of: "}}") else { break }
                names.insert(rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces))
                rest = rest[close.upperBound...]
            }
        }
        return names
    }

    /// Renders with `variables`; throws `MissingPromptVariables` naming every required one not given.
    public func render(_ variables: [String: JSONValue]) throws(MissingPromptVariables) -> PromptTemplate {
        let missing = requiredVariables.filter { variables[$0] == nil }
        guard missing.isEmpty else { throw MissingPromptVariables(prompt: version.name, version: version.version, names: missing) }
        let context = variables.mapValues(Self.mustacheValue)
        switch version.template {
        case .text: return .text(templates[0].render(context, library: library))
        case .chat(let messages):
            return .chat(zip(messages, templates).map { PromptMessage(role: $0.role, content: $1.render(context, library: library)) })
        }
    }

    /// Checks that every template of `template` parses, naming the file and line when one does not.
    public static func validate(_ template: PromptTemplate, file: String, firstLine: Int?) throws(PromptFileError) {
        let texts = texts(of: template)
        for (index, text) in texts.enumerated() {
            _ = try compile(text, file: file, line: firstLine, part: texts.count > 1 ? index : nil)
        }
    }

    static func texts(of template: PromptTemplate) -> [String] {
        switch template {
        case .text(let text): [text]
        case .chat(let messages): messages.map(\.content)
        }
    }

    /// The CONTENT_TYPE pragma turns off HTML escaping: a prompt is text, and `<` or `&` must stay as written.
    private static let plainText = "{{% CONTENT_TYPE: TEXT}}"

    private static func compile(_ text: String, file: String, line: Int?, part: Int?) throws(PromptFileError) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: plainText + text)
        } catch let error as MustacheTemplate.ParserError {
            let where_ = part.map { "message \($0 + 1), " } ?? ""
            let column = error.context.lineNumber == 1 ? error.context.columnNumber - plainText.count : error.context.columnNumber
            throw PromptFileError(
                file: file, line: line,
                message: "the template does not parse (\(where_)template line \(error.context.lineNumber), column \(max(column, 1))): \(error.error)"
            )
        } catch {
            throw PromptFileError(file: file, line: line, message: "the template does not parse: \(error)")
        }
    }

    /// Names of variables used outside sections. Inside a section, names may come from the section's
    /// own value, so they are not required. Partials and comments are skipped.
    static func requiredVariables(in text: String) -> Set<String> {
        var names = Set<String>()
        var depth = 0
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            let triple = rest.hasPrefix("{")
            guard let close = rest.range(of: triple ? "}}}" : "}}") else { break }
            var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            if triple { tag.removeFirst() }
            guard let sigil = tag.first else { continue }
            switch sigil {
            case "#", "^": depth += 1
            case "/": depth = max(depth - 1, 0)
            case "!", ">", "%", "=", "<", "$": continue
            default:
                if sigil == "&" { tag.removeFirst() }
                let name = tag.trimmingCharacters(in: .whitespaces).split(separator: ".").first.map(String.init) ?? ""
                if depth == 0, !name.isEmpty { names.insert(name) }
            }
        }
        return names
    }

    /// JSON as Mustache reads it: whole numbers print without a decimal point, null is empty and falsy.
    public static func mustacheValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: return Optional<String>.none as Any
        case .bool(let bool): return bool
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? Int(number) as Any : number
        case .string(let string): return string
        case .array(let items): return items.map(mustacheValue)
        case .object(let members): return members.mapValues(mustacheValue)
        }
    }
}

/// A render that lacks variables the prompt uses: all of them, by name.
public struct MissingPromptVariables: Error, Hashable, CustomStringConvertible {
    public var prompt: String
    public var version: Int
    public var names: [String]

    public var description: String {
        "prompt '\(prompt)' version \(version) needs variables that were not given: \(names.joined(separator: ", "))"
    }
}
