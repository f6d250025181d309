extension SearchFilter {
    /// A key as written: the prefix before the first dot, if any, and the name after it, with quotes removed.
    struct KeyPath: Sendable {
        var prefix: String?
        var name: String
        /// The key as it appears in the text, for messages.
        var written: String
    }

    /// A value as written, before the key's rule gives it a type.
    enum Literal: Sendable {
        case string(String)
        case number(Double, text: String)
        case list([Literal])
    }

    /// Reads the filter and `order_by` syntax byte by byte, in one pass.
    ///
    /// Only ASCII bytes are syntax; every other byte belongs to a name or a quoted string, so UTF-8 text passes through
    /// whole. Quoted text is unescaped: a doubled quote or a backslash before the quote stands for the quote, and `\\`
    /// for a backslash (MLflow's tokenizer accepts these forms but keeps them escaped, which matches nothing).
    struct Scanner {
        private let bytes: [UInt8]
        private(set) var position = 0

        init(_ text: String) throws(SearchFilterError) {
            bytes = Array(text.utf8)
            // PostgreSQL text cannot hold NUL, so no stored key or value could contain one.
            if bytes.contains(0) {
                throw SearchFilterError("The text contains a NUL character (\\0): remove it.")
            }
        }

        var atEnd: Bool { position == bytes.count }
        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        /// Steps over one byte the caller has already looked at.
        mutating func advance() {
            position += 1
        }

        mutating func skipWhitespace() {
            while let byte = current, Self.isWhitespace(byte) { position += 1 }
        }

        /// A run of name bytes (letters, digits, `_ . - / :` and non-ASCII); empty if none starts here.
        mutating func readName() -> String {
            let start = position
            while let byte = current, Self.isNameByte(byte) { position += 1 }
            return text(start..<position)
        }

        /// A key: `name`, `prefix.name`, with either part in backticks or double quotes, and a dotted bare name allowed
        /// after the prefix (`tags.mlflow.runName`). A quoted part may hold any character.
        mutating func readKey() throws(SearchFilterError) -> KeyPath {
            let start = position
            guard let byte = current else {
                throw SearchFilterError("Expected a key such as metrics.rmse, but the text ends here.")
            }
            if byte == Self.backtick || byte == Self.doubleQuote {
                let first = try readQuoted()
                guard current == Self.dot else {
                    guard !first.isEmpty else { throw SearchFilterError("A key is empty (\(text(start..<position))): name one.") }
                    return KeyPath(prefix: nil, name: first, written: text(start..<position))
                }
                position += 1
                let name = try readName(afterPrefix: first, start: start)
                return KeyPath(prefix: first, name: name, written: text(start..<position))
            }
            if byte == Self.singleQuote {
                throw SearchFilterError(
                    "Expected a key, found the string \(excerpt(from: start)): write keys bare (params.lr) "
                        + "or quote them with backticks or double quotes (params.`learning rate`).")
            }
            let run = readName()
            guard !run.isEmpty else {
                throw SearchFilterError("Expected a key such as metrics.rmse, found \(excerpt(from: start)).")
            }
            guard let dot = run.firstIndex(of: ".") else {
                return KeyPath(prefix: nil, name: run, written: run)
            }
            let prefix = String(run[..<dot])
            guard !prefix.isEmpty else {
                throw SearchFilterError("Expected a key such as metrics.rmse, found \(excerpt(from: start)).")
            }
            var name = String(run[run.index(after: dot)...])
            if name.isEmpty {
                name = try readName(afterPrefix: prefix, start: start)
            }
            return KeyPath(prefix: prefix, name: name, written: text(start..<position))
        }

        /// The name after `prefix.`: quoted (any of the three quotes, as MLflow accepts) or a bare dotted name.
        private mutating func readName(afterPrefix prefix: String, start: Int) throws(SearchFilterError) -> String {
            let name: String
            if let byte = current, byte == Self.backtick || byte == Self.doubleQuote || byte == Self.singleQuote {
                name = try readQuoted()
            } else {
                name = readName()
            }
            guard !name.isEmpty else {
                throw SearchFilterError(
                    "The key after '\(prefix).' is missing or empty in \(excerpt(from: start)): name it, "
                        + "quoting it with backticks if it has spaces or other punctuation (\(prefix).`my key`).")
            }
            return name
        }

        /// A quoted string or key starting at the current quote, unescaped.
        mutating func readQuoted() throws(SearchFilterError) -> String {
            let start = position
            let quote = bytes[position]
            position += 1
            var content: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                if byte == quote {
                    if position + 1 < bytes.count, bytes[position + 1] == quote {
                        content.append(quote)
                        position += 2
                        continue
                    }
                    position += 1
                    return String(decoding: content, as: UTF8.self)
                }
                if byte == Self.backslash, quote != Self.backtick, position + 1 < bytes.count,
                    bytes[position + 1] == quote || bytes[position + 1] == Self.backslash
                {
                    content.append(bytes[position + 1])
                    position += 2
                    continue
                }
                content.append(byte)
                position += 1
            }
            let mark = String(UnicodeScalar(quote))
            throw SearchFilterError(
                "Unterminated \(quote == Self.backtick ? "quoted key" : "string"): \(excerpt(from: start, quoted: false)) "
                    + "has no closing \(mark). End it with \(mark), and write \(mark)\(mark) for a \(mark) inside it.")
        }

        /// A number: optional sign, digits with an optional fraction, optional exponent (`-1`, `.5`, `2.5e-3`).
        mutating func readNumber() throws(SearchFilterError) -> Literal {
            let start = position
            if let byte = current, byte == Self.plus || byte == Self.minus { position += 1 }
            var digits = skipDigits()
            if current == Self.dot {
                position += 1
                digits += skipDigits()
            }
            var wellFormed = digits > 0
            if wellFormed, let byte = current, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                position += 1
                if let sign = current, sign == Self.plus || sign == Self.minus { position += 1 }
                wellFormed = skipDigits() > 0
            }
            // A number runs up to a space, a comma, a parenthesis or a comparator, never into a name.
            if let byte = current, Self.isNameByte(byte) || byte == Self.singleQuote || byte == Self.doubleQuote {
                wellFormed = false
                _ = readName()
            }
            let written = text(start..<position)
            guard wellFormed, let number = Double(written) else {
                throw SearchFilterError(
                    "'\(written)' is not a number: write digits with an optional sign, fraction and exponent "
                        + "(42, -1.5, 2e-3), or quote it if it is a string.")
            }
            guard number.isFinite else {
                throw SearchFilterError("The number \(written) is too large.")
            }
            return .number(number, text: written)
        }

        private mutating func skipDigits() -> Int {
            let start = position
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            return position - start
        }

        /// The text in `range` of the input.
        func text(_ range: Range<Int>) -> String {
            String(decoding: bytes[range], as: UTF8.self)
        }

        /// What comes next, cut short and quoted unless told, for messages: `'AND x …'` or `the end of the text`.
        func excerpt(from start: Int, quoted: Bool = true) -> String {
            guard start < bytes.count else { return "the end of the text" }
            let rest = text(start..<bytes.count)
            let limit = 24
            let shown = rest.count > limit ? rest.prefix(limit) + "…" : rest
            return quoted ? "'\(shown)'" : shown
        }

        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || (0x09...0x0D).contains(byte)
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), dot, minus, UInt8(ascii: "/"), UInt8(ascii: ":"):
                true
            default:
                byte >= 0x80
            }
        }

        static let backtick = UInt8(ascii: "`")
        static let doubleQuote = UInt8(ascii: "\"")
        static let singleQuote = UInt8(ascii: "'")
        static let backslash = UInt8(ascii: "\\")
        static let dot = UInt8(ascii: ".")
        static let plus = UInt8(ascii: "+")
        static let minus = UInt8(ascii: "-")
        static let comma = UInt8(ascii: ",")
        static let openParenthesis = UInt8(ascii: "(")
        static let closeParenthesis = UInt8(ascii: ")")
    }

    /// A recursive-descent parser: `comparison (AND comparison)*`, with `key comparator value` comparisons.
    struct Parser {
        private var scanner: Scanner
        private let entity: Entity

        init(_ text: String, entity: Entity) throws(SearchFilterError) {
            scanner = try Scanner(text)
            self.entity = entity
        }

        mutating func parseFilter() throws(SearchFilterError) -> [Clause] {
            scanner.skipWhitespace()
            guard !scanner.atEnd else { return [] }
            var clauses: [Clause] = []
            while true {
                let clause = try parseClause()
                clauses.append(clause)
                scanner.skipWhitespace()
                if scanner.atEnd { return clauses }
                let start = scanner.position
                switch scanner.readName().lowercased() {
                case "and":
                    scanner.skipWhitespace()
                    if scanner.atEnd {
                        throw SearchFilterError("The filter ends with AND: add a comparison after it or remove it.")
                    }
                case "or":
                    throw Self.onlyAnd("OR")
                default:
                    throw SearchFilterError(
                        "Expected AND after the comparison on \(display(clause.kind, clause.key)), found "
                            + "\(scanner.excerpt(from: start)): join comparisons with AND.")
                }
            }
        }

        private static func onlyAnd(_ word: String) -> SearchFilterError {
            SearchFilterError(
                "\(word) is not supported: a filter is comparisons joined by AND, without OR, NOT or parentheses. "
                    + "Run one search per alternative.")
        }

        private mutating func parseClause() throws(SearchFilterError) -> Clause {
            scanner.skipWhitespace()
            if scanner.current == Scanner.openParenthesis { throw Self.onlyAnd("Grouping with parentheses") }
            let path = try scanner.readKey()
            if path.prefix == nil, path.written == path.name {
                switch path.name.lowercased() {
                case "and": throw SearchFilterError("AND must join two comparisons: remove the extra AND.")
                case "or", "not": throw Self.onlyAnd(path.name.uppercased())
                default: break
                }
            }
            let (kind, key, rule) = try entity.resolveFilterKey(path)
            let shown = display(kind, key)
            scanner.skipWhitespace()
            let comparison = try readComparison(after: shown, rule: rule)
            guard rule.comparisons.contains(comparison) else {
                var message = "The comparator \(comparison.rawValue) cannot be used with \(shown): use one of "
                    + rule.comparisons.map(\.rawValue).joined(separator: ", ") + "."
                if comparison == .in || comparison == .notIn {
                    message += " " + listHint()
                }
                throw SearchFilterError(message)
            }
            if comparison == .isNull || comparison == .isNotNull {
                return Clause(kind: kind, key: key, comparison: comparison, value: .none)
            }
            scanner.skipWhitespace()
            let start = scanner.position
            let literal = try readValue(for: shown, comparison: comparison, rule: rule)
            let written = scanner.text(start..<scanner.position)
            let value = try typed(literal, written: written, rule: rule, key: shown, comparison: comparison)
            return Clause(kind: kind, key: key, comparison: comparison, value: value)
        }

        /// Which keys take IN lists for this entity, as a sentence.
        private func listHint() -> String {
            var listable = entity.attributeRules.filter { $0.rule.comparisons.contains(.in) }.map(\.name)
            for kind in [Clause.Kind.param, .tag] where entity.rule(for: kind)?.comparisons.contains(.in) == true {
                listable.append(kind.prefix + ".<key>")
            }
            listable += entity.datasetKeys.map { "datasets.\($0)" }
            return "In \(entity.displayName), lists work with " + listable.joined(separator: ", ") + "."
        }

        private mutating func readComparison(after key: String, rule: KeyRule) throws(SearchFilterError) -> Clause.Comparison {
            let allowed = rule.comparisons.map(\.rawValue).joined(separator: ", ")
            let start = scanner.position
            guard let byte = scanner.current else {
                throw SearchFilterError("Missing comparator after \(key): use one of \(allowed).")
            }
            if Self.isOperatorByte(byte) {
                while let next = scanner.current, Self.isOperatorByte(next) { scanner.advance() }
                let symbol = scanner.text(start..<scanner.position)
                switch symbol {
                case "=": return .equal
                case "!=": return .notEqual
                case ">": return .greater
                case ">=": return .greaterOrEqual
                case "<": return .less
                case "<=": return .lessOrEqual
                case "==": throw SearchFilterError("Use = rather than == after \(key).")
                case "<>": throw SearchFilterError("Use != rather than <> after \(key).")
                default: throw SearchFilterError("'\(symbol)' after \(key) is not a comparator: use one of \(allowed).")
                }
            }
            let word = scanner.readName().uppercased()
            switch word {
            case "LIKE": return .like
            case "ILIKE": return .ilike
            case "IN": return .in
            case "NOT":
                scanner.skipWhitespace()
                let next = scanner.readName().uppercased()
                if next == "IN" { return .notIn }
                throw SearchFilterError(
                    "NOT \(next.isEmpty ? "" : next + " ")after \(key) is not supported: use one of \(allowed).")
            case "IS":
                scanner.skipWhitespace()
                let next = scanner.readName().uppercased()
                if next == "NULL" { return .isNull }
                if next == "NOT" {
                    scanner.skipWhitespace()
                    if scanner.readName().uppercased() == "NULL" { return .isNotNull }
                }
                throw SearchFilterError("Expected NULL or NOT NULL after \(key) IS.")
            default:
                throw SearchFilterError(
                    "Expected a comparator after \(key), found \(scanner.excerpt(from: start)): use one of \(allowed).")
            }
        }

        private static func isOperatorByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "=") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
        }

        private mutating func readValue(
            for key: String, comparison: Clause.Comparison, rule: KeyRule
        ) throws(SearchFilterError) -> Literal {
            let start = scanner.position
            guard let byte = scanner.current else {
                throw SearchFilterError("Missing value after \(key) \(comparison.rawValue).")
            }
            switch byte {
            case Scanner.singleQuote, Scanner.doubleQuote:
                return .string(try scanner.readQuoted())
            case Scanner.openParenthesis:
                return try readList(for: key, comparison: comparison)
            case UInt8(ascii: "0")...UInt8(ascii: "9"), Scanner.plus, Scanner.minus, Scanner.dot:
                return try scanner.readNumber()
            case Scanner.backtick:
                throw SearchFilterError("\(key): backticks quote keys, not values; quote the value with ' or \".")
            default:
                let word = scanner.readName()
                guard !word.isEmpty else {
                    throw SearchFilterError(
                        "Missing value after \(key) \(comparison.rawValue), found \(scanner.excerpt(from: start)).")
                }
                if word.uppercased() == "NULL" {
                    throw SearchFilterError("\(key): test for a missing value with IS NULL or IS NOT NULL, not \(comparison.rawValue) NULL.")
                }
                throw SearchFilterError(
                    rule.valueType == .string
                        ? "\(key): expected a quoted string such as 'value', found \(word): put strings in single or double quotes."
                        : "\(key): expected a number, found \(word).")
            }
        }

        /// `( item (, item)* [,] )`, where an item is a quoted string or a number (which typing refuses or keeps as text).
        private mutating func readList(for key: String, comparison: Clause.Comparison) throws(SearchFilterError) -> Literal {
            let start = scanner.position
            scanner.advance()
            var items: [Literal] = []
            while true {
                scanner.skipWhitespace()
                guard let byte = scanner.current else { break }
                if byte == Scanner.closeParenthesis {
                    scanner.advance()
                    return .list(items)
                }
                switch byte {
                case Scanner.singleQuote, Scanner.doubleQuote:
                    items.append(.string(try scanner.readQuoted()))
                case UInt8(ascii: "0")...UInt8(ascii: "9"), Scanner.plus, Scanner.minus, Scanner.dot:
                    items.append(try scanner.readNumber())
                default:
                    throw SearchFilterError(
                        "\(key) \(comparison.rawValue): list items must be quoted strings, found \(scanner.excerpt(from: scanner.position)).")
                }
                scanner.skipWhitespace()
                guard let next = scanner.current else { break }
                if next == Scanner.comma {
                    scanner.advance()
                } else if next != Scanner.closeParenthesis {
                    throw SearchFilterError(
                        "\(key) \(comparison.rawValue): expected , or ) in the list, found \(scanner.excerpt(from: scanner.position)).")
                }
            }
            throw SearchFilterError(
                "\(key) \(comparison.rawValue): the list starting at \(scanner.excerpt(from: start)) is not closed: end it with ).")
        }

        /// Gives the literal the type the key's rule wants, or says why it cannot.
        private func typed(
            _ literal: Literal, written: String, rule: KeyRule, key: String, comparison: Clause.Comparison
        ) throws(SearchFilterError) -> Clause.Value {
            if comparison == .in || comparison == .notIn {
                guard case .list(let items) = literal else {
                    throw SearchFilterError(
                        "\(key) \(comparison.rawValue) needs a list of quoted strings in parentheses, such as ('a', 'b'); found \(written).")
                }
                guard !items.isEmpty else {
                    throw SearchFilterError("\(key) \(comparison.rawValue): the list is empty; give at least one quoted string.")
                }
                var strings: [String] = []
                for item in items {
                    switch item {
                    case .string(let string): strings.append(string)
                    case .number(_, let text) where rule.acceptsNumberAsString: strings.append(text)
                    case .number(_, let text):
                        throw SearchFilterError("\(key) \(comparison.rawValue): list items must be quoted strings, found \(text).")
                    case .list:
                        throw SearchFilterError("\(key) \(comparison.rawValue): lists cannot be nested.")
                    }
                }
                return .strings(strings)
            }
            switch (literal, rule.valueType) {
            case (.list, _):
                throw SearchFilterError("\(key): a list such as \(written) needs IN or NOT IN, not \(comparison.rawValue).")
            case (.string(let string), .string):
                return .string(string)
            case (.number(_, let text), .string):
                guard rule.acceptsNumberAsString else {
                    throw SearchFilterError(
                        "\(key): expected a quoted string such as 'value', found \(written): quote it ('\(text)').")
                }
                return .string(text)
            case (.string(let string), .number), (.string(let string), .wholeNumber):
                // Only whole numbers are cast, as MLflow's store does with int('3').
                guard rule.acceptsQuotedWholeNumber, let number = Int64(string) else {
                    throw SearchFilterError("\(key): expected a number, found \(written).")
                }
                return .number(Double(number))
            case (.number(let number, _), .number):
                return .number(number)
            case (.number(let number, _), .wholeNumber):
                guard number == number.rounded(.towardZero), abs(number) < 9.2e18 else {
                    throw SearchFilterError("\(key): expected a whole number, found \(written).")
                }
                return .number(number)
            }
        }

        private func display(_ kind: Clause.Kind, _ key: String) -> String {
            SearchFilter.display(kind, key)
        }
    }

    /// A key as a filter would write it: `start_time`, `metrics.rmse`, ``params.`learning rate` ``.
    static func display(_ kind: Clause.Kind, _ key: String) -> String {
        let bare = !key.isEmpty && key.utf8.allSatisfy { byte in
            Scanner.isNameByte(byte) && byte < 0x80 && byte != UInt8(ascii: "/") && byte != UInt8(ascii: ":")
        }
        let shown = bare ? key : "`" + String(key.flatMap { $0 == "`" ? ["`", "`"] : [$0] }) + "`"
        return kind == .attribute ? shown : kind.prefix + "." + shown
    }
}

extension SearchFilter.Clause.Kind {
    /// The plural prefix MLflow documents for this kind, as in `metrics.rmse`.
    var prefix: String {
        switch self {
        case .metric: "metrics"
        case .param: "params"
        case .tag: "tags"
        case .attribute: "attributes"
        case .dataset: "datasets"
        }
    }

    /// Every prefix MLflow accepts, singular and plural; `run.` only for runs.
    static func named(_ prefix: String, for entity: SearchFilter.Entity) -> Self? {
        switch prefix.lowercased() {
        case "metric", "metrics": .metric
        case "param", "params", "parameter", "parameters": .param
        case "tag", "tags": .tag
        case "attribute", "attributes", "attr": .attribute
        case "run" where entity == .runs: .attribute
        case "dataset", "datasets": .dataset
        default: nil
        }
    }
}

// MARK: - Resolving keys

extension SearchFilter.Entity {
    typealias Kind = SearchFilter.Clause.Kind

    /// The kind, canonical key and rule a filter key names, or why it names none.
    func resolveFilterKey(_ path: SearchFilter.KeyPath) throws(SearchFilterError) -> (Kind, String, SearchFilter.KeyRule) {
        let kind = try kind(of: path, allowed: filterKinds, purpose: "filtered")
        switch kind {
        case .attribute:
            guard let attribute = attributeRules.first(where: { $0.matches(path.name) }) else {
                throw unknownAttribute(path.name, known: attributeRules, purpose: "filter")
            }
            return (.attribute, attribute.name, attribute.rule)
        case .dataset:
            guard datasetKeys.contains(path.name) else {
                throw SearchFilterError(
                    "Unknown dataset key '\(path.name)': use datasets.name, datasets.digest or datasets.context.")
            }
            return (.dataset, path.name, .listableString)
        case .metric, .param, .tag:
            // filterKinds holds only kinds with a rule.
            return (kind, path.name, rule(for: kind) ?? .string)
        }
    }

    /// The kind and canonical key an `order_by` key names, or why it names none.
    func resolveOrderKey(_ path: SearchFilter.KeyPath) throws(SearchFilterError) -> (Kind, String) {
        let kind = try kind(of: path, allowed: orderKinds, purpose: "ordered")
        guard kind == .attribute else { return (kind, path.name) }
        guard let attribute = orderAttributeRules.first(where: { $0.matches(path.name) }) else {
            throw unknownAttribute(path.name, known: orderAttributeRules, purpose: "order_by")
        }
        return (.attribute, attribute.name)
    }

    private func kind(of path: SearchFilter.KeyPath, allowed: [Kind], purpose: String) throws(SearchFilterError) -> Kind {
        guard let prefix = path.prefix else { return .attribute }
        let prefixes = allowed.map { $0.prefix + "." }.joined(separator: ", ")
        guard let kind = Kind.named(prefix, for: self) else {
            throw SearchFilterError(
                "Unknown prefix '\(prefix)' in \(path.written): \(displayName) take \(prefixes) "
                    + "or a bare attribute name such as \(attributeRules[0].name).")
        }
        guard allowed.contains(kind) else {
            throw SearchFilterError(
                "\(displayName.capitalizedFirst) cannot be \(purpose) by \(kind.prefix) (\(path.written)): use \(prefixes) "
                    + "or a bare attribute name such as \(attributeRules[0].name).")
        }
        return kind
    }

    private func unknownAttribute(_ name: String, known: [SearchFilter.AttributeRule], purpose: String) -> SearchFilterError {
        var message = "Unknown attribute '\(name)' in \(purpose) for \(displayName): use one of "
            + known.map(\.name).joined(separator: ", ") + "."
        let prefixed = (purpose == "filter" ? filterKinds : orderKinds).filter { $0 != .attribute }
        if let first = prefixed.first {
            let kinds = prefixed.map(\.prefix)
            let listed = kinds.count == 1 ? kinds[0] : kinds.dropLast().joined(separator: ", ") + " and " + kinds.last!
            message += " \(listed.capitalizedFirst) need a prefix, as in \(SearchFilter.display(first, name))."
        }
        return SearchFilterError(message)
    }
}

extension String {
    /// The string with its first character upper-cased.
    fileprivate var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
