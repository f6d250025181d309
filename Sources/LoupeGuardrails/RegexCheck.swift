/// Flags text that matches operator-written patterns (`regex` in config), such as internal project
/// code names or ticket numbers, unless an allow pattern covers the match.
///
/// Options:
/// - `deny`: patterns to flag (required, at least one), in `LinearRegex` syntax;
/// - `allow`: patterns that excuse a deny match lying wholly inside one of their matches (overlapping
///   allow matches count as one span), such as `[\w.+-]+@ourcompany\.com` to let the company's own
///   addresses through an email deny pattern;
/// - `case_insensitive`: for every pattern, like a leading `(?i)` (default false);
/// - `category`: the findings' category (default `denied_pattern`);
/// - `mask`: what redaction writes over a match (default `[REDACTED]`).
///
/// Findings are each deny pattern's matches, in order, with overlapping ones (of one pattern or
/// several) merged into one span. Patterns match in time linear in the text whatever they are, so a
/// user cannot stall a request with text crafted against them.
public struct RegexCheck: GuardrailCheck {
    /// `regex`.
    public let name = "regex"
    /// The category of every finding.
    public let category: String
    private let deny: [LinearRegex]
    private let allow: [LinearRegex]
    private let maskText: String
    /// All deny patterns in one DFA, when one pass over a text costs less than one per pattern.
    private let anyDeny: LinearRegex?

    /// Reads `deny`, `allow`, `case_insensitive`, `category` and `mask`; throws on a missing
    /// `deny`, a pattern that does not compile or one that can only match empty text.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["deny", "allow", "case_insensitive", "category", "mask"])
        let caseInsensitive = try options.bool("case_insensitive") ?? false
        guard let denyPatterns = try options.strings("deny"), !denyPatterns.isEmpty else {
            throw GuardrailOptionError(key: "deny", message: "expected at least one pattern")
        }
        deny = try Self.compile(denyPatterns, key: "deny", caseInsensitive: caseInsensitive)
        allow = try Self.compile(try options.strings("allow") ?? [], key: "allow", caseInsensitive: caseInsensitive)
        category = try options.string("category") ?? "denied_pattern"
        guard !category.isEmpty else { throw GuardrailOptionError(key: "category", message: "expected a non-empty category") }
        maskText = try options.string("mask") ?? "[REDACTED]"

        let union = deny.count > 1 ? try? LinearRegex(anyOf: denyPatterns, caseInsensitive: caseInsensitive) : nil
        if let union, union.hasDFA, union.scanCost < deny.reduce(0, { $0 + $1.scanCost }) {
            anyDeny = union
        } else {
            anyDeny = nil
        }
    }

    private static func compile(_ patterns: [String], key: String, caseInsensitive: Bool) throws(GuardrailOptionError) -> [LinearRegex] {
        var result: [LinearRegex] = []
        for (index, pattern) in patterns.enumerated() {
            let regex: LinearRegex
            do {
                regex = try LinearRegex(pattern, caseInsensitive: caseInsensitive)
            } catch {
                throw GuardrailOptionError(key: key, message: "pattern \(index + 1) '\(pattern)': \(error.message)")
            }
            // An empty match masks nothing, so such a pattern could never fire: surely a mistake.
            if regex.matchesOnlyEmptyText {
                throw GuardrailOptionError(key: key, message: "pattern \(index + 1) '\(pattern)' can only match empty text, so it would never apply")
            }
            result.append(regex)
        }
        return result
    }

    /// The `mask` option, whatever the category.
    public func mask(for category: String) -> String {
        maskText
    }

    /// Each deny match not inside an allow match, in order, with overlapping matches merged.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        if let anyDeny, !anyDeny.containsMatch(in: text) { return [] }
        var spans: [Range<Int>] = []
        for regex in deny { spans += regex.matches(in: text) }
        guard !spans.isEmpty else { return [] }
        if !allow.isEmpty {
            let allowed = Self.merged(allow.flatMap { $0.matches(in: text) })
            spans.removeAll { Self.isInside($0, allowed) }
        }
        return Self.merged(spans).map { GuardrailFinding(category: category, range: $0) }
    }

    /// Sorted spans with overlapping ones joined. Touching spans stay apart: each is its own match.
    private static func merged(_ spans: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for span in spans.sorted(by: { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }) {
            if let last = result.last, span.lowerBound < last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                result.append(span)
            }
        }
        return result
    }

    /// Whether `span` lies within one of the sorted, disjoint `spans`.
    private static func isInside(_ span: Range<Int>, _ spans: [Range<Int>]) -> Bool {
        // The last span starting at or before `span` is the only one that can hold it.
        var low = 0
        var high = spans.count
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].lowerBound <= span.lowerBound { low = middle + 1 } else { high = middle }
        }
        return low > 0 && spans[low - 1].upperBound >= span.upperBound
    }
}
