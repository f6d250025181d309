/// A fragment of HTML that is safe by construction: text is always escaped, and tag and attribute
/// names can only be string literals, so no stored value can open a tag or an attribute.
struct HTML: Sendable, Hashable {
    /// The markup, every value in it already escaped.
    private(set) var markup: String

    /// Escaped text.
    init(_ text: some StringProtocol) {
        markup = Self.escape(text)
    }

    private init(markup: String) {
        self.markup = markup
    }

    /// Nothing.
    static let empty = HTML(markup: "")

    /// Markup written in the source (CSS, a doctype): a literal, never a value read at run time.
    static func literal(_ markup: StaticString) -> HTML {
        HTML(markup: markup.description)
    }

    /// An element with attributes (a nil value leaves the attribute out) and children.
    static func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:], _ children: [HTML]) -> HTML {
        var markup = "<" + name.description
        for (key, value) in attributes {
            guard let value else { continue }
            markup += " " + key.description + "=\"" + escape(value) + "\""
        }
        markup += ">"
        if voidElements.contains(name.description) { return HTML(markup: markup) }
        for child in children { markup += child.markup }
        return HTML(markup: markup + "</" + name.description + ">")
    }

    /// An element whose children are written inline.
    static func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:], _ children: HTML...) -> HTML {
        element(name, attributes, children)
    }

    /// An element without attributes whose children are written inline.
    static func element(_ name: StaticString, _ children: HTML...) -> HTML {
        element(name, [:], children)
    }

    /// An element without attributes, with a list of children.
    static func element(_ name: StaticString, _ children: [HTML]) -> HTML {
        element(name, [:], children)
    }

    /// An element holding escaped text.
    static func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:], text: some StringProtocol) -> HTML {
        element(name, attributes, [HTML(text)])
    }

    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(markup: lhs.markup + rhs.markup) }
    static func += (lhs: inout HTML, rhs: HTML) { lhs.markup += rhs.markup }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    private static let voidElements: Set<String> = ["br", "hr", "img", "input", "meta", "link"]
}

extension Array where Element == HTML {
    /// The fragments one after another.
    func joined() -> HTML { reduce(HTML.empty, +) }
}
