import Foundation
import Testing

@testable import LoupeGuardrails

@Suite struct LinearRegexTests {
    /// The matched substrings, so that expectations read like the text.
    private func found(_ pattern: String, in text: String, caseInsensitive: Bool = false) throws -> [String] {
        let regex = try LinearRegex(pattern, caseInsensitive: caseInsensitive)
        return regex.matches(in: text).map { String(text[$0]) }
    }

    /// Patterns × texts × the matches RE2 (leftmost-first, non-empty) gives.
    static let table: [(pattern: String, text: String, expected: [String])] = [
        // Literals, alternation and leftmost-first priority.
        ("abc", "xabcabc", ["abc", "abc"]),
        ("a|ab", "ab", ["a"]),
        ("ab|a", "ab", ["ab"]),
        ("a|b|c", "cba", ["c", "b", "a"]),
        ("(a|ab)(c|bcd)", "abcd", ["abcd"]),
        ("a.*z|a", "a a z", ["a a z"]),
        ("a.*z|a", "a a", ["a", "a"]),
        // Quantifiers, greedy and lazy.
        ("a+", "caaat aa", ["aaa", "aa"]),
        ("a+?", "aaa", ["a", "a", "a"]),
        ("a*?b", "aaab", ["aaab"]),
        ("<.+>", "<a><b>", ["<a><b>"]),
        ("<.+?>", "<a><b>", ["<a>", "<b>"]),
        ("a{2}", "aaaaa", ["aa", "aa"]),
        ("a{2,3}", "aaaaaaa", ["aaa", "aaa"]),
        ("a{2,}", "a aa aaaa", ["aa", "aaaa"]),
        ("x{2,3}?", "xxxx", ["xx", "xx"]),
        ("a{,2}", "a{,2}", ["a{,2}"]),
        ("a{0}b", "ab", ["b"]),
        ("(ab){2}", "abababab", ["abab", "abab"]),
        ("(?:ab)+", "ababab", ["ababab"]),
        ("colou?r", "color colour colouur", ["color", "colour"]),
        ("(a|b)+c", "abac", ["abac"]),
        ("a??b", "ab", ["ab"]),
        // Empty matches are not reported; the non-empty ones still are.
        ("a*", "baaac", ["aaa"]),
        ("|a", "a", ["a"]),
        ("x*|b", "abc", ["b"]),
        ("^$", "", []),
        ("\\b", "a b", []),
        // Classes and escapes.
        ("\\d+", "a12b345", ["12", "345"]),
        ("\\D+", "a1b", ["a", "b"]),
        ("\\w+", "héllo wörld_1", ["h", "llo", "w", "rld_1"]),
        ("\\W+", "a, b", [", "]),
        ("\\s+", "a \t\nb", [" \t\n"]),
        ("\\S+", "ab cd", ["ab", "cd"]),
        ("[^a-z]+", "abc123DEF€ghi", ["123DEF€"]),
        ("[-ac]+", "a-c-b", ["a-c-"]),
        ("[ac-]+", "a-c-b", ["a-c-"]),
        ("[]a]+", "]a]b", ["]a]"]),
        ("[\\]\\\\]+", "a]\\b", ["]\\"]),
        ("[[:digit:][:upper:]]+", "abC12d", ["C12"]),
        ("[[:^alpha:]]+", "ab12cd", ["12"]),
        ("[\\d\\s]+", "a1 2b", ["1 2"]),
        ("[^\\n]+", "ab\ncd", ["ab", "cd"]),
        ("\\.", "a.b", ["."]),
        ("a\\/b", "a/b", ["a/b"]),
        ("\\x41\\x{42}", "AB", ["AB"]),
        ("\\t\\n", "a\t\nb", ["\t\n"]),
        ("\\Qa.b*\\E+", "a.b**a.bb", ["a.b**"]),
        ("\\Q(x)\\E", "(x) x", ["(x)"]),
        ("a{", "a{", ["a{"]),
        // Dot.
        ("a.c", "abc a\nc a€c", ["abc", "a€c"]),
        (".+", "a\nb", ["a", "b"]),
        ("(?s).+", "a\nb", ["a\nb"]),
        ("(?s)a.c", "a\nc", ["a\nc"]),
        // Anchors and boundaries.
        ("^abc", "abc abc", ["abc"]),
        ("abc$", "abc abc", ["abc"]),
        ("\\Aab", "abab", ["ab"]),
        ("ab\\z", "abab", ["ab"]),
        ("(?m)^\\w+", "one\ntwo\nthree", ["one", "two", "three"]),
        ("(?m)\\w+$", "one\ntwo", ["one", "two"]),
        ("^\\w+", "one\ntwo", ["one"]),
        ("\\bcat\\b", "cat concat cats cat.", ["cat", "cat"]),
        ("\\Bcat", "concat cat", ["cat"]),
        // \w and \b are ASCII, as in RE2: é is not a word character.
        ("\\bx", "éx", ["x"]),
        // Named groups parse and act as plain groups.
        ("(?P<year>\\d{4})-(?<month>\\d\\d)", "on 2024-05-01", ["2024-05"]),
        // UTF-8.
        ("€+", "€€x€", ["€€", "€"]),
        ("[€£]", "a£b€", ["£", "€"]),
        ("[α-ω]+", "αβγ abc ω", ["αβγ", "ω"]),
        ("😀+", "😀😀!", ["😀😀"]),
        ("[^a]", "a😀", ["😀"]),
        ("[\\x{1F600}-\\x{1F64F}]+", "hi 😀🙏 ok", ["😀🙏"]),
        ("[\\x{7F}-\\x{800}]+", "a\u{7F}\u{80}\u{7FF}\u{800}\u{801}", ["\u{7F}\u{80}\u{7FF}\u{800}"]),
        // Flags.
        ("(?i)hello", "HeLLo hello", ["HeLLo", "hello"]),
        ("(?i)[a-z]+", "ABC", ["ABC"]),
        ("(?i)[^a]+", "aAb", ["b"]),
        ("a(?i)b|c", "C aB", ["C", "aB"]),
        ("(?i:a)b", "Ab AB", ["Ab"]),
        ("(?i)a(?-i)b", "AB Ab", ["Ab"]),
        ("(?i)é", "É", ["É"]),
        ("(?i)straße", "STRAẞE", ["STRAẞE"]),
        ("(?i)k", "K\u{212A}k", ["K", "\u{212A}", "k"]),
        ("(?i)σ", "Σς", ["Σ", "ς"]),
        ("(?im)^b", "a\nB", ["B"]),
    ]

    @Test(arguments: table.indices)
    func matchesLikeRE2(_ index: Int) throws {
        let row = Self.table[index]
        #expect(try found(row.pattern, in: row.text) == row.expected, "\(row.pattern) on \(row.text.debugDescription)")
    }

    @Test(arguments: table.indices)
    func pikeVMAloneAgreesWithTheDFAPath(_ index: Int) throws {
        let row = Self.table[index]
        let regex = try LinearRegex(row.pattern, caseInsensitive: false, buildsDFA: false)
        #expect(regex.matches(in: row.text).map { String(row.text[$0]) } == row.expected, "\(row.pattern)")
    }

    @Test func byteOffsetsAndFirstMatch() throws {
        let regex = try LinearRegex("b+")
        let text = "€bb b"
        var copy = text
        let offsets = copy.withUTF8 { regex.matches(in: $0) }
        #expect(offsets == [3..<5, 6..<7])
        #expect(copy.withUTF8 { regex.firstMatch(in: $0) } == 3..<5)
        #expect(regex.firstMatch(in: text).map { String(text[$0]) } == "bb")
        #expect(regex.containsMatch(in: text))
        #expect(!regex.containsMatch(in: "aaa"))
        #expect(regex.firstMatch(in: "aaa") == nil)
    }

    @Test func caseInsensitiveOption() throws {
        #expect(try found("secret", in: "SeCrEt secret", caseInsensitive: true) == ["SeCrEt", "secret"])
        #expect(try found("secret", in: "SeCrEt secret") == ["secret"])
        #expect(try found("(?-i)secret", in: "SECRET secret", caseInsensitive: true) == ["secret"])
    }

    // MARK: - Syntax errors

    static let errors: [(pattern: String, message: String)] = [
        ("(abc", "unclosed '(' at 0"),
        ("ab(cd(ef)", "unclosed '(' at 2"),
        ("€(", "unclosed '(' at 1"),
        ("abc)", "unmatched ')' at 3"),
        ("[abc", "unclosed '[' at 0"),
        ("[]", "unclosed '[' at 0"),
        ("*a", "'*' at 0 has nothing to repeat"),
        ("a|+", "'+' at 2 has nothing to repeat"),
        ("{2}", "'{' at 0 has nothing to repeat"),
        ("a**", "'*' at 2 repeats a repetition; put the repeated part in a group"),
        ("a*+", "possessive quantifiers ('+' at 2) are not supported; without backtracking they are not needed"),
        ("(a)\\1", "backreferences (\\1 at 3) are not supported: Loupe's regexes run in linear time"),
        ("(?P<n>a)(?P=n)", "backreferences ('(?P=' at 8) are not supported: Loupe's regexes run in linear time"),
        ("(?<n>a)\\k<n>", "backreferences (\\k at 7) are not supported: Loupe's regexes run in linear time"),
        ("a(?=b)", "lookaround ('(?=' at 1) is not supported: Loupe's regexes run in linear time"),
        ("a(?!b)", "lookaround ('(?!' at 1) is not supported: Loupe's regexes run in linear time"),
        ("(?<=a)b", "lookaround ('(?<=' at 0) is not supported: Loupe's regexes run in linear time"),
        ("(?<!a)b", "lookaround ('(?<!' at 0) is not supported: Loupe's regexes run in linear time"),
        ("(?>a)", "atomic groups ('(?>' at 0) are not supported; without backtracking they are not needed"),
        ("a{1001}", "repetition count 1001 at 1 is above the maximum of 1000"),
        ("a{2,99999999999}", "repetition count 1000000 at 1 is above the maximum of 1000"),
        ("a{3,2}", "invalid repetition at 1: the maximum 2 is below the minimum 3"),
        ("[z-a]", "invalid range z-a at 1: the end comes before the start"),
        ("[a-\\d]", "invalid range at 1: a class such as \\d cannot be a range's end"),
        ("\\p{L}", "Unicode classes (\\p at 0) are not supported; use a range such as [\\x{00C0}-\\x{024F}]"),
        ("\\q", "unknown escape \\q at 0"),
        ("a\\", "trailing '\\' at 1"),
        ("(?x)a", "unknown group flag 'x' at 2 in '(?' at 0; expected i, s, m, '-', then ':' or ')'"),
        ("(?)", "unknown group flag ')' at 2 in '(?' at 0; expected i, s, m, '-', then ':' or ')'"),
        ("(?i", "unclosed '(' at 0"),
        ("(?P<>a)", "empty group name at 0"),
        ("\\x{110000}", "\\x{110000} at 0 is not a Unicode scalar value"),
        ("\\xZZ", "invalid hexadecimal escape at 0; write \\xHH or \\x{HHHH}"),
        ("[[:alpah:]]", "unknown class [:alpah:] at 1; expected alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, word or xdigit"),
        ("\\0", "octal escape \\0 at 0 is not supported; write \\x00"),
    ]

    @Test(arguments: errors.indices)
    func syntaxErrorsSayWhatAndWhere(_ index: Int) {
        let row = Self.errors[index]
        #expect(throws: LinearRegex.SyntaxError.self, "\(row.pattern)") {
            try LinearRegex(row.pattern)
        }
        do {
            _ = try LinearRegex(row.pattern)
        } catch {
            #expect(error.message == row.message, "\(row.pattern)")
        }
    }

    @Test func enormousProgramsAreRefused() throws {
        do {
            _ = try LinearRegex("(.{100}){100}")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("pattern too large: it compiles to more than 10000 instructions"))
            #expect(error.offset == 8, "the outer repetition, whose copies multiply the inner one")
        }
        // Large but reasonable counts compile.
        _ = try LinearRegex("[a-z0-9]{1000}")
        _ = try LinearRegex("password.{0,200}[:=]")
    }

    @Test func deepNestingIsRefusedWithoutCrashing() throws {
        func nested(_ depth: Int) -> String { String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth) }
        #expect(try found(nested(100), in: "a a") == ["a", "a"])
        #expect(throws: LinearRegex.SyntaxError("groups nested more than 100 deep at 100", at: 100)) { try LinearRegex(nested(101)) }
        #expect(throws: LinearRegex.SyntaxError.self) { try LinearRegex(nested(100_000)) }
    }

    /// The DFA covers common secret-shaped patterns; one whose DFA would explode falls back to the
    /// Pike VM and still finds the same matches.
    @Test func dfaWhereAffordablePikeVMOtherwise() throws {
        #expect(try LinearRegex("AKIA[0-9A-Z]{16}").hasDFA)
        #expect(try LinearRegex("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}").hasDFA)
        let exploding = try LinearRegex("[a-q][^u-z]{13}x")
        #expect(!exploding.hasDFA)
        let text = String(repeating: "abcdefghijklmnopq", count: 1000) + "x"
        let started = ContinuousClock.now
        var bytes = text
        #expect(bytes.withUTF8 { exploding.matches(in: $0) } == [(text.utf8.count - 15)..<text.utf8.count])
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    // MARK: - Agreement with a backtracking reference

    /// Random patterns over a small alphabet, matched by this engine (with and without its DFA) and by
    /// a naive backtracking matcher that follows Perl's leftmost-first rules by construction.
    @Test func agreesWithABacktrackingReference() throws {
        var generator = SplitMix64(seed: 0x5EED)
        var checked = 0
        for _ in 0..<3000 {
            let tree = ReferenceTree.random(using: &generator, depth: 3)
            let pattern = tree.pattern
            let text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in "ab c".randomElement(using: &generator)! })
            let bytes = Array(text.utf8)
            let expected = tree.allMatches(in: bytes)
            for buildsDFA in [true, false] {
                let regex = try LinearRegex(pattern, caseInsensitive: false, buildsDFA: buildsDFA)
                let actual = bytes.withUnsafeBufferPointer { regex.matches(in: $0) }
                #expect(actual == expected, "\(pattern) on \(text.debugDescription) (DFA: \(buildsDFA))")
                let first = bytes.withUnsafeBufferPointer { regex.firstMatch(in: $0) }
                #expect(first == expected.first, "\(pattern) first match on \(text.debugDescription)")
            }
            checked += 1
        }
        #expect(checked == 3000)
    }

    // MARK: - Linear time on adversarial input

    /// Patterns that take a backtracking engine exponential time, on long inputs that almost match.
    static let adversarial: [(pattern: String, text: String, expected: [Range<Int>])] = {
        let megabyte = 1 << 20
        let a = String(repeating: "a", count: megabyte)
        let x = String(repeating: "x", count: megabyte)
        return [
            ("(a+)+b", a, []),
            // A match means the Pike VM runs over all of it, which is slow in a debug build: 64 KB.
            ("(a+)+b", String(a.prefix(65_536)) + "b", [0..<65_537]),
            ("(a|a)*c", a, []),
            ("(a|aa)+$", a + "!", []),
            ("(x+x+)+y", x, []),
            ("(\\w+\\s?)+$", String(repeating: "word ", count: megabyte / 5) + "!", []),
            // Quadratic for an engine that restarts after each match: the `.*z` thread runs to the end.
            // 50 KB is enough: quadratic would be over a billion steps.
            ("a.*z|a", String(repeating: "a", count: 50_000), (0..<50_000).map { $0..<($0 + 1) }),
            ("(.*a){12}", String(repeating: "a", count: 11) + String(repeating: "b", count: 100_000), []),
            ("\\b(\\w+\\.)+com\\b", String(repeating: "a.", count: megabyte / 2), []),
        ]
    }()

    @Test(arguments: adversarial.indices)
    func linearTimeOnAdversarialInput(_ index: Int) throws {
        let row = Self.adversarial[index]
        let regex = try LinearRegex(row.pattern)
        let started = ContinuousClock.now
        var text = row.text
        let matches = text.withUTF8 { regex.matches(in: $0) }
        let elapsed = ContinuousClock.now - started
        #expect(matches == row.expected, "\(row.pattern)")
        #expect(elapsed < .seconds(1), "\(row.pattern) took \(elapsed) on \(row.text.utf8.count) bytes")
    }
}

// MARK: - Reference matcher

/// A tiny regex tree with its own pattern text and a backtracking matcher, to check the engine against.
/// Star and plus only repeat things that cannot match empty, where RE2 and Perl agree.
private indirect enum ReferenceTree {
    case literal(UInt8)
    case any
    case set([UInt8], negated: Bool)
    case sequence([ReferenceTree])
    case choice([ReferenceTree])
    case repeated(ReferenceTree, min: Int, max: Int?, greedy: Bool)
    case wordBoundary
    case textStart
    case textEnd

    static func random(using generator: inout SplitMix64, depth: Int) -> ReferenceTree {
        let roll = Int.random(in: 0..<(depth <= 0 ? 6 : 12), using: &generator)
        switch roll {
        case 0, 1, 2: return .literal(Array("abc ".utf8).randomElement(using: &generator)!)
        case 3: return .any
        case 4: return .set(Array(Set((0..<Int.random(in: 1...2, using: &generator)).map { _ in Array("abc".utf8).randomElement(using: &generator)! })).sorted(), negated: Bool.random(using: &generator))
        case 5: return [.wordBoundary, .textStart, .textEnd, .literal(0x61)].randomElement(using: &generator)!
        case 6, 7: return .sequence((0..<Int.random(in: 2...3, using: &generator)).map { _ in random(using: &generator, depth: depth - 1) })
        case 8, 9: return .choice((0..<Int.random(in: 2...3, using: &generator)).map { _ in random(using: &generator, depth: depth - 1) })
        default:
            let body = random(using: &generator, depth: depth - 1)
            let greedy = Bool.random(using: &generator)
            let kinds: [(Int, Int?)] = body.canBeEmpty ? [(0, 1), (0, 2), (1, 2), (2, 2)] : [(0, nil), (1, nil), (0, 1), (1, 3), (2, nil)]
            let (min, max) = kinds.randomElement(using: &generator)!
            return .repeated(body, min: min, max: max, greedy: greedy)
        }
    }

    var canBeEmpty: Bool {
        switch self {
        case .literal, .any, .set: false
        case .wordBoundary, .textStart, .textEnd: true
        case .sequence(let items): items.allSatisfy(\.canBeEmpty)
        case .choice(let items): items.contains { $0.canBeEmpty }
        case .repeated(let body, let min, _, _): min == 0 || body.canBeEmpty
        }
    }

    var pattern: String {
        switch self {
        case .literal(let byte): String(UnicodeScalar(byte))
        case .any: "."
        case .set(let bytes, let negated): "[" + (negated ? "^" : "") + String(decoding: bytes, as: UTF8.self) + "]"
        case .sequence(let items): "(?:" + items.map(\.pattern).joined() + ")"
        case .choice(let items): "(?:" + items.map(\.pattern).joined(separator: "|") + ")"
        case .repeated(let body, let min, let max, let greedy):
            "(?:" + body.pattern + ")" + (max.map { "{\(min),\($0)}" } ?? "{\(min),}") + (greedy ? "" : "?")
        case .wordBoundary: "\\b"
        case .textStart: "^"
        case .textEnd: "$"
        }
    }

    /// Calls `next` with each end position of a match from `start`, in priority order, until it returns true.
    func match(_ text: [UInt8], _ start: Int, _ next: (Int) -> Bool) -> Bool {
        switch self {
        case .literal(let byte):
            return start < text.count && text[start] == byte && next(start + 1)
        case .any:
            return start < text.count && text[start] != 0x0A && next(start + 1)
        case .set(let bytes, let negated):
            return start < text.count && bytes.contains(text[start]) != negated && next(start + 1)
        case .sequence(let items):
            func from(_ index: Int, _ position: Int) -> Bool {
                index == items.count ? next(position) : items[index].match(text, position) { from(index + 1, $0) }
            }
            return from(0, start)
        case .choice(let items):
            return items.contains { $0.match(text, start, next) }
        case .repeated(let body, let min, let max, let greedy):
            func count(_ done: Int, _ position: Int) -> Bool {
                let mayStop = done >= min
                let mayGo = max.map { done < $0 } ?? true
                func go() -> Bool { mayGo && body.match(text, position) { count(done + 1, $0) } }
                return greedy ? (go() || (mayStop && next(position))) : ((mayStop && next(position)) || go())
            }
            return count(0, start)
        case .wordBoundary:
            let before = start > 0 && Self.isWord(text[start - 1])
            let after = start < text.count && Self.isWord(text[start])
            return before != after && next(start)
        case .textStart:
            return start == 0 && next(start)
        case .textEnd:
            return start == text.count && next(start)
        }
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
    }

    /// Non-overlapping, non-empty, leftmost-first matches.
    func allMatches(in text: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var position = 0
        search: while position < text.count {
            for start in position..<text.count {
                var end: Int?
                _ = match(text, start) { candidate in
                    guard candidate > start else { return false }
                    end = candidate
                    return true
                }
                if let end {
                    result.append(start..<end)
                    position = end
                    continue search
                }
            }
            break
        }
        return result
    }
}
