/// A regular expression that matches in time linear in the text's length, whatever the pattern and the text.
///
/// Operators write patterns in config and attackers write the text, so a backtracking engine (ICU's
/// `NSRegularExpression`, Swift `Regex`) would let one message stall a request on `(a+)+b`. This engine
/// follows RE2: the pattern compiles to a small program over UTF-8 bytes; a DFA, built once when the
/// pattern compiles, answers "is there a match ahead?" at one table lookup a byte (skipping bytes that
/// cannot start one); a Pike VM (a breadth-first NFA simulation) finds the exact spans only around
/// what the DFA found. Neither ever backtracks. A pattern whose DFA would be too large to build
/// (`\b(?:\d[ -]?){13,16}\b` has some 25,000 states) is left to the Pike VM, slower but still linear.
///
/// Syntax is RE2's, minus what cannot run in linear time (backreferences, lookaround):
/// - literals and escapes: `\.` `\\` `\/` `\n` `\t` `\r` `\f` `\v` `\a` `\e` `\xHH` `\x{H…}` `\Q…\E`;
/// - `.`: any character but `\n`, and `\n` too under `(?s)`;
/// - classes `[abc]` `[^a-z0-9_]`, with escapes and ASCII classes such as `[[:alpha:]]` inside;
/// - `\d \w \s \D \W \S` and `\b \B`, ASCII as in RE2: `\w` is `[0-9A-Za-z_]`, `\s` is `[\t\n\v\f\r ]`;
/// - anchors `^ $` (of lines under `(?m)`) and `\A \z` (always of the whole text);
/// - groups `( )`, `(?: )`, `(?P<name> )`, `(?<name> )`: none captures, since only whole matches are used;
/// - alternation `|`, leftmost-first as in RE2 and Perl: of the matches starting leftmost, the one the
///   earlier alternative (or the greedier quantifier) gives wins;
/// - quantifiers `* + ? {n} {n,} {n,m}`, greedy or lazy (`*? +? ?? {n,m}?`), counts up to 1000;
/// - flags `i` (Unicode simple case folding), `s` and `m`: `(?i)` for the rest of the group,
///   `(?i:…)` scoped, `(?-i)` to turn off.
///
/// Matches are non-empty: an empty match masks nothing, so `a*` finds the runs of `a` and nothing else,
/// and of the matches at one start the first non-empty one counts.
public struct LinearRegex: Sendable {
    /// The pattern as written.
    public let pattern: String
    let program: Program
    /// Nil when the pattern's DFA would be too large; the Pike VM then scans the whole text.
    let dfa: DFA?

    /// The most instructions a pattern may compile to; counted repetition copies its operand, so
    /// `(\w+\s){1000}` would otherwise build a program too large to run quickly.
    public static let maxProgramSize = 10_000

    /// Parses and compiles `pattern`; `caseInsensitive` acts like a leading `(?i)`.
    public init(_ pattern: String, caseInsensitive: Bool = false) throws(SyntaxError) {
        try self.init(pattern, caseInsensitive: caseInsensitive, buildsDFA: true)
    }

    /// `buildsDFA: false` leaves the Pike VM to scan alone, as it does when the DFA would be too large.
    init(_ pattern: String, caseInsensitive: Bool, buildsDFA: Bool) throws(SyntaxError) {
        self.pattern = pattern
        var parser = Parser(pattern, flags: Flags(caseInsensitive: caseInsensitive))
        let node = try parser.parse()
        program = try Compiler.compile(node, maxSize: Self.maxProgramSize)
        dfa = buildsDFA ? DFA(program: program) : nil
    }

    /// One regex for "any of `patterns`", which scans a text once instead of once per pattern. Its
    /// matches differ from the patterns' own (alternatives compete), so it serves only as a prefilter.
    init(anyOf patterns: [String], caseInsensitive: Bool) throws(SyntaxError) {
        pattern = patterns.joined(separator: "|")
        var alternatives: [Node] = []
        for pattern in patterns {
            var parser = Parser(pattern, flags: Flags(caseInsensitive: caseInsensitive))
            alternatives.append(try parser.parse())
        }
        program = try Compiler.compile(.alternation(alternatives), maxSize: Self.maxProgramSize)
        dfa = DFA(program: program)
    }

    /// Whether the pattern got a DFA (it does unless its DFA would have too many states).
    var hasDFA: Bool { dfa != nil }

    /// Whether no non-empty text can match, as with `^`, `\b` or `a{0}`.
    var matchesOnlyEmptyText: Bool { program.firstBytes == ByteBitmap() }

    /// A rough cost of scanning a text without matches, relative to one DFA table walk: lower when
    /// the DFA can skip most bytes, higher when the Pike VM must scan.
    var scanCost: Double {
        guard let dfa else { return 4 }
        return dfa.skipsMostBytes ? 0.3 : 1
    }

    /// All non-overlapping, non-empty matches in UTF-8 `text`, leftmost-first, as byte offsets in order.
    public func matches(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        search(text) { match in
            result.append(match)
            return true
        }
        return result
    }

    /// The first match in UTF-8 `text` (the one `matches(in:)` would list first), or nil.
    public func firstMatch(in text: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var first: Range<Int>?
        search(text) { match in
            first = match
            return false
        }
        return first
    }

    /// Whether `text` holds a match; cheaper than `firstMatch(in:)` because it never needs the span.
    public func containsMatch(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let dfa else { return firstMatch(in: text) != nil }
        return dfa.scan(text, from: 0) != nil
    }

    /// All matches in a Swift string, as ranges of it.
    public func matches(in text: String) -> [Range<String.Index>] {
        var text = text
        let offsets = text.withUTF8 { matches(in: $0) }
        return offsets.map { Self.stringRange($0, in: text) }
    }

    /// The first match in a Swift string, or nil.
    public func firstMatch(in text: String) -> Range<String.Index>? {
        var text = text
        return text.withUTF8 { firstMatch(in: $0) }.map { Self.stringRange($0, in: text) }
    }

    /// Whether a Swift string holds a match.
    public func containsMatch(in text: String) -> Bool {
        var text = text
        return text.withUTF8 { containsMatch(in: $0) }
    }

    private static func stringRange(_ offsets: Range<Int>, in text: String) -> Range<String.Index> {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: offsets.lowerBound)
        return lower..<utf8.index(lower, offsetBy: offsets.count)
    }

    /// Reports matches in order until `report` returns false. The DFA skips the stretches without a
    /// match; the Pike VM runs from where the DFA last held no partial match, until it is idle again.
    func search(_ text: UnsafeBufferPointer<UInt8>, report: (Range<Int>) -> Bool) {
        // Built on the first match only, so that a text without matches costs no allocation.
        var machine: PikeVM?
        var position = 0
        while position <= text.count {
            if let dfa {
                guard let resume = dfa.scan(text, from: position) else { return }
                position = resume
            }
            let pike = machine ?? PikeVM(program: program)
            machine = pike
            guard let next = pike.run(text, from: position, stopWhenIdle: dfa != nil, report: report) else { return }
            position = next
        }
    }
}

extension LinearRegex {
    /// A pattern that cannot be compiled: what is wrong and at which character of the pattern.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, including the offset, such as `unclosed '(' at 4`.
        public var message: String
        /// The offset, in Unicode scalars from 0, of the pattern character at fault.
        public var offset: Int

        /// An error whose `message` already names `offset`.
        public init(_ message: String, at offset: Int) {
            self.message = message
            self.offset = offset
        }

        /// The message.
        public var description: String { message }
    }
}
