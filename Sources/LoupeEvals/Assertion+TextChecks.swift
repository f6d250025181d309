import LoupeCore
import LoupeGuardrails

extension Assertion {
    /// `equals`: the output is exactly the value (no trimming, as in Promptfoo); an object or list value is
    /// compared with the output parsed as JSON (numbers by value, so `1` equals `1.0`; key order never counts).
    func checkEquals(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        switch value {
        case .array?, .object?:
            let expected = ReasonText.json(value!)
            guard let parsed = JSONValue.parse(text) else { return .binary(false, "output is not JSON, so it does not equal \(expected)") }
            if parsed == value { return .binary(true, "output's JSON equals \(expected)") }
            return .binary(false, "output's JSON \(ReasonText.json(parsed)) differs from \(expected)")
        default:
            let expected = try self.text(value, expected: "a string (the exact answer) or a JSON object or list", allowEmpty: true)
            if text == expected { return .binary(true, "output equals \(ReasonText.quote(expected))") }
            return .binary(false, "output \(ReasonText.quote(text)) differs from \(ReasonText.quote(expected))")
        }
    }

    /// `contains` and `icontains`; `icontains` compares the Unicode lower-case forms of both texts.
    func checkContains(_ text: String, _ value: JSONValue?, ignoringCase: Bool) throws(CheckFailure) -> CheckResult {
        let needle = try self.text(value, expected: "a string (the text to find)")
        let found = ignoringCase ? text.lowercased().contains(needle.lowercased()) : text.contains(needle)
        let how = ignoringCase ? " (ignoring case)" : ""
        return .binary(found, "output \(found ? "contains" : "does not contain") \(ReasonText.quote(needle))\(how)")
    }

    /// `contains-any`: at least one of the texts occurs, case-sensitively.
    func checkContainsAny(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let needles = try textList(value, expected: "a list of strings or a comma-separated string (the texts to find)")
        if let found = needles.first(where: { text.contains($0) }) {
            return .binary(true, "output contains \(ReasonText.quote(found)) (one of \(Self.quoteList(needles)))")
        }
        return .binary(false, "output contains none of \(Self.quoteList(needles))")
    }

    /// `contains-all`: every one of the texts occurs, case-sensitively.
    func checkContainsAll(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let needles = try textList(value, expected: "a list of strings or a comma-separated string (the texts to find)")
        let missing = needles.filter { !text.contains($0) }
        if missing.isEmpty { return .binary(true, "output contains all of \(Self.quoteList(needles))") }
        return .binary(false, "output lacks \(Self.quoteList(missing)) (of \(Self.quoteList(needles)))")
    }

    /// `starts-with`: the output begins with the value, leading whitespace included.
    func checkStartsWith(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let prefix = try self.text(value, expected: "a string (the text the output starts with)")
        if text.hasPrefix(prefix) { return .binary(true, "output starts with \(ReasonText.quote(prefix))") }
        let start = ReasonText.quote(String(text.prefix(prefix.count + 10)), limit: 40)
        return .binary(false, "output starts \(start), not \(ReasonText.quote(prefix))")
    }

    /// `regex`: the pattern (RE2 syntax, Loupe's linear-time engine) matches somewhere in the output. Patterns
    /// that need backtracking (backreferences, lookaround) are refused with the engine's reason.
    func checkRegex(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let pattern = try self.text(value, expected: "a string (the pattern)")
        let regex: LinearRegex
        do {
            regex = try LinearRegex(pattern)
        } catch {
            throw CheckFailure("\(typeName): the pattern /\(pattern)/ cannot be used: \(error.message)")
        }
        let found = regex.containsMatch(in: text)
        return .binary(found, "output \(found ? "matches" : "does not match") /\(ReasonText.cut(pattern, limit: 80))/")
    }

    /// `word-count`: the number of whitespace-separated words is the value (a whole number), or within an
    /// object's `min` and `max` (both inclusive, either optional).
    func checkWordCount(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let expected = "a whole number (the exact word count) or an object with min and/or max"
        let count = TextMetrics.words(text).count
        let noun = count == 1 ? "word" : "words"
        switch value {
        case .number?:
            guard let exact = value?.intValue, exact >= 0 else { throw badValue(value, expected: expected) }
            return .binary(count == exact, "output has \(count) \(noun) (expected \(exact))")
        case .object(let members)?:
            guard members.keys.allSatisfy({ $0 == "min" || $0 == "max" }) else {
                throw CheckFailure("\(typeName) expects \(expected), got an object with \(members.keys.sorted().joined(separator: ", "))")
            }
            var bounds: [Int?] = []
            for key in ["min", "max"] {
                guard let bound = members[key] else {
                    bounds.append(nil)
                    continue
                }
                guard let whole = bound.intValue, whole >= 0 else {
                    throw CheckFailure("\(typeName): \(key) must be a whole number, got \(ReasonText.kindName(bound))")
                }
                bounds.append(whole)
            }
            let (low, high) = (bounds[0], bounds[1])
            if low == nil, high == nil { throw badValue(value, expected: expected) }
            if let low, let high, low > high { throw CheckFailure("\(typeName): min \(low) is above max \(high)") }
            let pass = count >= (low ?? 0) && count <= (high ?? Int.max)
            let range =
                switch (low, high) {
                case (let low?, let high?): "\(low) to \(high)"
                case (let low?, nil): "at least \(low)"
                default: "at most \(high ?? 0)"
                }
            return .binary(pass, "output has \(count) \(noun) (expected \(range))")
        default:
            throw badValue(value, expected: expected)
        }
    }

    /// `levenshtein`: passes when the edit distance (in Characters) to the value is at most the threshold
    /// (default 5); the score is 1 − distance / the longer text's length, so it shows how close a failure was.
    func checkLevenshtein(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let reference = try self.text(value, expected: "a string (the reference text)", allowEmpty: true)
        let limit = threshold(default: 5)
        let distance = TextMetrics.levenshtein(text, reference)
        let longest = max(text.count, reference.count)
        let score = longest == 0 ? 1 : max(0, 1 - Double(distance) / Double(longest))
        let pass = Double(distance) <= limit
        let comparison = pass ? "≤" : ">"
        return CheckResult(
            pass: pass, score: score,
            reason: "edit distance \(distance) \(comparison) \(ReasonText.number(limit)) from \(ReasonText.quote(reference))"
        )
    }

    /// `rouge-n`: ROUGE-1 recall of the reference's words (n is 1, as Promptfoo's default), against one reference
    /// or the best of a list; passes at the threshold (default 0.75) or above.
    func checkRouge(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let references = try references(value)
        let minimum = threshold(default: 0.75)
        let scores = references.map { TextMetrics.rougeN(candidate: text, reference: $0, n: 1) }
        let score = scores.max() ?? 0
        let best = references[scores.firstIndex(of: score) ?? 0]
        let which = references.count == 1 ? "" : " (best of \(references.count), against \(ReasonText.quote(best, limit: 40)))"
        return CheckResult(pass: score >= minimum, score: score, reason: "ROUGE-1 recall \(Self.compare(score, minimum))\(which)")
    }

    /// `bleu`: sentence BLEU (up to 4-grams, see `TextMetrics.bleu`) against one reference or a list of them;
    /// passes at the threshold (default 0.5) or above.
    func checkBLEU(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let references = try references(value)
        let minimum = threshold(default: 0.5)
        let score = TextMetrics.bleu(candidate: text, references: references)
        return CheckResult(pass: score >= minimum, score: score, reason: "BLEU \(Self.compare(score, minimum))")
    }

    /// `0.833 ≥ 0.75` or `0.42 < 0.5`.
    static func compare(_ score: Double, _ minimum: Double) -> String {
        "\(ReasonText.number(score)) \(score >= minimum ? "≥" : "<") \(ReasonText.number(minimum))"
    }

    /// One reference text, or a list of them.
    func references(_ value: JSONValue?) throws(CheckFailure) -> [String] {
        let expected = "a string or a list of strings (the reference texts)"
        if case .array? = value { return try textList(value, expected: expected) }
        return [try text(value, expected: expected)]
    }
}
