extension LinearRegex {
    /// Flags that change how the rest of a group parses.
    struct Flags {
        var caseInsensitive = false
        /// `(?s)`: `.` matches `\n` too.
        var dotMatchesNewline = false
        /// `(?m)`: `^` and `$` match at line starts and ends.
        var multiline = false
    }

    /// A zero-width test of the position between two bytes.
    enum Assertion: UInt8 {
        case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary
    }

    /// A parsed pattern. Case folding is already applied, so a literal is a set of one scalar or a few.
    indirect enum Node {
        case empty
        case scalars(ScalarSet)
        case assertion(Assertion)
        case concatenation([Node])
        case alternation([Node])
        /// `max` nil means unbounded; `offset` locates the quantifier for errors.
        case repetition(Node, min: Int, max: Int?, greedy: Bool, offset: Int)
    }

    /// The largest count in `{n,m}`, as in RE2.
    static let maxRepeatCount = 1000
    /// Deeper nesting than this is refused, so that parsing and compiling, which recurse, cannot
    /// exhaust a thread's stack.
    static let maxNesting = 100

    /// A recursive-descent parser over the pattern's Unicode scalars.
    struct Parser {
        private let scalars: [Unicode.Scalar]
        private var position = 0
        private var flags: Flags
        private var depth = 0
        /// Inside `\Q…\E`, where every character up to `\E` is a literal.
        private var quoting = false

        init(_ pattern: String, flags: Flags) {
            scalars = Array(pattern.unicodeScalars)
            self.flags = flags
        }

        mutating func parse() throws(SyntaxError) -> Node {
            let node = try parseAlternation()
            if position < scalars.count {
                // parseAlternation stops only at the end or at a ')' it has no '(' for.
                throw SyntaxError("unmatched ')' at \(position)", at: position)
            }
            return node
        }

        // MARK: - Structure

        /// Alternatives up to the end or a ')'. Flags set inside apply until the enclosing group ends.
        private mutating func parseAlternation() throws(SyntaxError) -> Node {
            var alternatives: [Node] = []
            while true {
                alternatives.append(try parseConcatenation())
                guard peek() == "|" else { break }
                position += 1
            }
            return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
        }

        private mutating func parseConcatenation() throws(SyntaxError) -> Node {
            var items: [Node] = []
            while let scalar = peek(), quoting || (scalar != "|" && scalar != ")") {
                guard let atom = try parseAtom() else { continue }
                if quoting {
                    // Inside \Q…\E a '*' is a literal, not a quantifier.
                    items.append(atom)
                    continue
                }
                items.append(try parseQuantifiers(atom))
            }
            switch items.count {
            case 0: return .empty
            case 1: return items[0]
            default: return .concatenation(items)
            }
        }

        /// One atom, or nil for something that only changed the parser's state (`(?i)`, an empty `\Q\E`).
        private mutating func parseAtom() throws(SyntaxError) -> Node? {
            let start = position
            let scalar = scalars[position]
            position += 1
            if quoting {
                if scalar == "\\", peek() == "E" {
                    position += 1
                    quoting = false
                    return nil
                }
                if peek() == "\\", peek(1) == "E" {
                    // The last quoted character: a quantifier right after \E applies to it.
                    position += 2
                    quoting = false
                }
                return literal(scalar)
            }
            switch scalar {
            case "(":
                return try parseGroup(openedAt: start)
            case "[":
                return .scalars(try parseClass(openedAt: start))
            case ".":
                var set = ScalarSet.all
                if !flags.dotMatchesNewline { set = set.subtracting(ScalarSet(scalar: "\n")) }
                return .scalars(set)
            case "^":
                return .assertion(flags.multiline ? .lineStart : .textStart)
            case "$":
                return .assertion(flags.multiline ? .lineEnd : .textEnd)
            case "\\":
                return try parseEscape(at: start)
            case "*", "+", "?":
                throw SyntaxError("'\(scalar)' at \(start) has nothing to repeat", at: start)
            case "{" where countedRepetition(at: start) != nil:
                throw SyntaxError("'{' at \(start) has nothing to repeat", at: start)
            default:
                return literal(scalar)
            }
        }

        private mutating func parseGroup(openedAt start: Int) throws(SyntaxError) -> Node? {
            depth += 1
            defer { depth -= 1 }
            if depth > LinearRegex.maxNesting {
                throw SyntaxError("groups nested more than \(LinearRegex.maxNesting) deep at \(start)", at: start)
            }
            let outerFlags = flags
            if peek() == "?" {
                position += 1
                switch peek() {
                case ":":
                    position += 1
                case "P" where peek(1) == "<", "<" where peek(1) != "=" && peek(1) != "!":
                    position += peek() == "P" ? 2 : 1
                    try skipGroupName(groupAt: start)
                case "=", "!", "<":
                    // `(?=` and `(?!` look ahead; `(?<=` and `(?<!` look behind.
                    let opener = String(String.UnicodeScalarView(scalars[start..<min(position + (peek() == "<" ? 2 : 1), scalars.count)]))
                    throw SyntaxError("lookaround ('\(opener)' at \(start)) is not supported: Loupe's regexes run in linear time", at: start)
                case "P" where peek(1) == "=" || peek(1) == ">":
                    throw SyntaxError("backreferences ('(?P\(peek(1)!)' at \(start)) are not supported: Loupe's regexes run in linear time", at: start)
                case ">":
                    throw SyntaxError("atomic groups ('(?>' at \(start)) are not supported; without backtracking they are not needed", at: start)
                default:
                    // Flags: `(?i)` changes the rest of the enclosing group, `(?i:…)` only its own.
                    let scoped = try parseFlags(groupAt: start)
                    if !scoped { return nil }
                }
            }
            let inner = try parseAlternation()
            guard peek() == ")" else { throw SyntaxError("unclosed '(' at \(start)", at: start) }
            position += 1
            flags = outerFlags
            return inner
        }

        private mutating func skipGroupName(groupAt start: Int) throws(SyntaxError) {
            let nameStart = position
            while let scalar = peek(), scalar != ">" {
                guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" else {
                    throw SyntaxError("invalid character '\(scalar)' in the group name at \(position); names use letters, digits and '_'", at: position)
                }
                position += 1
            }
            guard peek() == ">" else { throw SyntaxError("unclosed group name at \(start)", at: start) }
            guard position > nameStart else { throw SyntaxError("empty group name at \(start)", at: start) }
            position += 1
        }

        /// Reads `i`, `s`, `m`, `-` up to `)` (returns false: flags for the rest of the group) or
        /// `:` (returns true: a group the flags are scoped to).
        private mutating func parseFlags(groupAt start: Int) throws(SyntaxError) -> Bool {
            var negate = false
            var sawFlag = false
            while let scalar = peek() {
                switch scalar {
                case "i": flags.caseInsensitive = !negate
                case "s": flags.dotMatchesNewline = !negate
                case "m": flags.multiline = !negate
                case "-" where !negate:
                    negate = true
                    position += 1
                    continue
                case ")" where sawFlag, ":" where sawFlag:
                    position += 1
                    return scalar == ":"
                default:
                    throw SyntaxError("unknown group flag '\(scalar)' at \(position) in '(?' at \(start); expected i, s, m, '-', then ':' or ')'", at: position)
                }
                sawFlag = true
                position += 1
            }
            throw SyntaxError("unclosed '(' at \(start)", at: start)
        }

        private mutating func parseQuantifiers(_ atom: Node) throws(SyntaxError) -> Node {
            var node = atom
            var quantified = false
            while let scalar = peek() {
                let start = position
                var range: (min: Int, max: Int?)
                switch scalar {
                case "*": range = (0, nil); position += 1
                case "+": range = (1, nil); position += 1
                case "?": range = (0, 1); position += 1
                case "{":
                    guard let counted = countedRepetition(at: position) else { return node }
                    let limit = LinearRegex.maxRepeatCount
                    if counted.min > limit || (counted.max ?? 0) > limit {
                        throw SyntaxError("repetition count \(max(counted.min, counted.max ?? 0)) at \(start) is above the maximum of \(limit)", at: start)
                    }
                    if let max = counted.max, max < counted.min {
                        throw SyntaxError("invalid repetition at \(start): the maximum \(max) is below the minimum \(counted.min)", at: start)
                    }
                    range = (counted.min, counted.max)
                    position = counted.end
                default:
                    return node
                }
                if quantified {
                    throw SyntaxError("'\(scalar)' at \(start) repeats a repetition; put the repeated part in a group", at: start)
                }
                var greedy = true
                if peek() == "?" {
                    greedy = false
                    position += 1
                } else if peek() == "+" {
                    throw SyntaxError("possessive quantifiers ('+' at \(position)) are not supported; without backtracking they are not needed", at: position)
                }
                node = .repetition(node, min: range.min, max: range.max, greedy: greedy, offset: start)
                quantified = true
            }
            return node
        }

        /// `{n}`, `{n,}` or `{n,m}` starting at `start`, or nil when the brace is a literal, as in RE2.
        private func countedRepetition(at start: Int) -> (min: Int, max: Int?, end: Int)? {
            var index = start + 1
            func number() -> Int? {
                var value: Int?
                while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                    // Capped so that a huge count cannot overflow; the caller refuses anything above 1000.
                    value = min((value ?? 0) * 10 + Int(scalars[index].value - 48), 1_000_000)
                    index += 1
                }
                return value
            }
            guard let low = number() else { return nil }
            var high: Int? = low
            if index < scalars.count, scalars[index] == "," {
                index += 1
                high = number()
            }
            guard index < scalars.count, scalars[index] == "}" else { return nil }
            return (low, high, index + 1)
        }

        // MARK: - Escapes

        private mutating func parseEscape(at start: Int) throws(SyntaxError) -> Node? {
            guard let scalar = peek() else { throw SyntaxError("trailing '\\' at \(start)", at: start) }
            switch scalar {
            case "b": position += 1; return .assertion(.wordBoundary)
            case "B": position += 1; return .assertion(.notWordBoundary)
            case "A": position += 1; return .assertion(.textStart)
            case "z": position += 1; return .assertion(.textEnd)
            case "Q":
                // \Q…\E quotes everything up to \E (or the end). The characters come back one at a time
                // through `quoting`, so that a quantifier after \E repeats only the last one, as in RE2.
                position += 1
                quoting = true
                return nil
            case "E":
                // A stray \E ends nothing, as in RE2.
                position += 1
                return nil
            default:
                return .scalars(try parseEscapedSet(at: start, inClass: false))
            }
        }

        /// An escape that stands for a set of scalars: one character (`\n`, `\.`) or a class (`\d`).
        /// `position` is just past the backslash.
        private mutating func parseEscapedSet(at start: Int, inClass: Bool) throws(SyntaxError) -> ScalarSet {
            guard let scalar = peek() else { throw SyntaxError("trailing '\\' at \(start)", at: start) }
            position += 1
            switch scalar {
            case "d": return .digits
            case "D": return ScalarSet.digits.inverted()
            case "w": return .wordCharacters
            case "W": return ScalarSet.wordCharacters.inverted()
            case "s": return .whitespace
            case "S": return ScalarSet.whitespace.inverted()
            case "n": return literalSet("\n")
            case "t": return literalSet("\t")
            case "r": return literalSet("\r")
            case "f": return literalSet("\u{0C}")
            case "v": return literalSet("\u{0B}")
            case "a": return literalSet("\u{07}")
            case "e": return literalSet("\u{1B}")
            case "x": return literalSet(try parseHexEscape(at: start))
            case "1"..."9":
                throw SyntaxError("backreferences (\\\(scalar) at \(start)) are not supported: Loupe's regexes run in linear time", at: start)
            case "k", "g":
                throw SyntaxError("backreferences (\\\(scalar) at \(start)) are not supported: Loupe's regexes run in linear time", at: start)
            case "0":
                throw SyntaxError("octal escape \\0 at \(start) is not supported; write \\x00", at: start)
            case "p", "P":
                throw SyntaxError("Unicode classes (\\\(scalar) at \(start)) are not supported; use a range such as [\\x{00C0}-\\x{024F}]", at: start)
            case "b" where inClass, "B" where inClass, "A" where inClass, "z" where inClass:
                throw SyntaxError("\\\(scalar) at \(start) is an anchor and cannot be used in a class", at: start)
            default:
                // Any escaped punctuation or symbol stands for itself; an unknown letter is refused
                // rather than guessed at, since other engines give letters meanings of their own.
                if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    throw SyntaxError("unknown escape \\\(scalar) at \(start)", at: start)
                }
                return literalSet(scalar)
            }
        }

        /// `\xHH` or `\x{H…}`; `position` is just past the `x`.
        private mutating func parseHexEscape(at start: Int) throws(SyntaxError) -> Unicode.Scalar {
            var digits = ""
            if peek() == "{" {
                position += 1
                while let scalar = peek(), scalar != "}" {
                    digits.unicodeScalars.append(scalar)
                    position += 1
                    if digits.count > 8 { break }
                }
                guard peek() == "}" else { throw SyntaxError("unclosed \\x{ at \(start)", at: start) }
                position += 1
            } else {
                for _ in 0..<2 {
                    guard let scalar = peek() else { break }
                    digits.unicodeScalars.append(scalar)
                    position += 1
                }
            }
            guard !digits.isEmpty, digits.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit), let value = UInt32(digits, radix: 16) else {
                throw SyntaxError("invalid hexadecimal escape at \(start); write \\xHH or \\x{HHHH}", at: start)
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw SyntaxError("\\x{\(digits)} at \(start) is not a Unicode scalar value", at: start)
            }
            return scalar
        }

        // MARK: - Classes

        /// `[…]`; `position` is just past the `[`.
        private mutating func parseClass(openedAt start: Int) throws(SyntaxError) -> ScalarSet {
            var negated = false
            if peek() == "^" {
                negated = true
                position += 1
            }
            var set = ScalarSet()
            var first = true
            while true {
                guard let scalar = peek() else { throw SyntaxError("unclosed '[' at \(start)", at: start) }
                if scalar == "]" && !first { break }
                first = false
                let itemStart = position
                if scalar == "[", peek(1) == ":", let posix = try parsePOSIXClass() {
                    set.formUnion(posix)
                    continue
                }
                let low = try parseClassItem()
                // A '-' before ']' or after a range is a literal.
                if peek() == "-", let next = peek(1), next != "]" {
                    position += 1
                    let high = try parseClassItem()
                    guard let lowScalar = low.single, let highScalar = high.single else {
                        throw SyntaxError("invalid range at \(itemStart): a class such as \\d cannot be a range's end", at: itemStart)
                    }
                    guard lowScalar.value <= highScalar.value else {
                        throw SyntaxError("invalid range \(lowScalar)-\(highScalar) at \(itemStart): the end comes before the start", at: itemStart)
                    }
                    set.formUnion(ScalarSet(range: lowScalar.value...highScalar.value))
                } else {
                    set.formUnion(low)
                }
            }
            position += 1
            // Fold before negating, so that (?i)[^a] excludes both a and A.
            if flags.caseInsensitive { set = set.caseFolded() }
            return negated ? set.inverted() : set
        }

        /// One scalar or escape inside a class.
        private mutating func parseClassItem() throws(SyntaxError) -> ScalarSet {
            let start = position
            let scalar = scalars[position]
            position += 1
            if scalar == "\\" { return try parseEscapedSet(at: start, inClass: true) }
            return ScalarSet(scalar: scalar)
        }

        /// `[:alpha:]` or `[:^alpha:]`, or nil (and no input consumed) when the brackets are literal.
        private mutating func parsePOSIXClass() throws(SyntaxError) -> ScalarSet? {
            let start = position
            var index = position + 2
            var name = ""
            while index < scalars.count, scalars[index] != ":" {
                name.unicodeScalars.append(scalars[index])
                index += 1
                if name.count > 8 { return nil }
            }
            guard index + 1 < scalars.count, scalars[index + 1] == "]" else { return nil }
            let negated = name.hasPrefix("^")
            if negated { name.removeFirst() }
            guard let set = ScalarSet.posixClass(name) else {
                throw SyntaxError("unknown class [:\(name):] at \(start); expected alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, word or xdigit", at: start)
            }
            position = index + 2
            return negated ? set.inverted() : set
        }

        // MARK: - Helpers

        private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
            position + ahead < scalars.count ? scalars[position + ahead] : nil
        }

        private func literalSet(_ scalar: Unicode.Scalar) -> ScalarSet {
            let set = ScalarSet(scalar: scalar)
            return flags.caseInsensitive ? set.caseFolded() : set
        }

        private func literal(_ scalar: Unicode.Scalar) -> Node {
            .scalars(literalSet(scalar))
        }
    }
}
