import LoupeCore

extension Assertion {
    /// `llm-rubric`: the judge model grades the output against the rubric through the registry prompt
    /// `evals/llm-rubric` and answers JSON `{pass, score, reason}`, possibly fenced or after prose.
    ///
    /// A missing score is 1 or 0 from `pass`; a missing `pass` is score ≥ the threshold (0.5 when unset).
    /// Scores are clamped to 0…1. With a threshold, passing also needs score ≥ threshold.
    func checkRubric(_ text: String, _ value: JSONValue?, context: AssertionContext) async throws(CheckFailure) -> CheckResult {
        let rubric = try gradingText(value, expected: "a string (the rubric)")
        let answer = try await judge(
            "evals/llm-rubric", ["rubric": .string(rubric), "output": .string(text), "input": .string(context.input)], context: context
        )
        let verdict = JSONExtraction.values(in: answer, objectsOnly: true).first { $0["pass"] != nil || $0["score"] != nil }
        let judged = verdict.flatMap { Self.passValue($0["pass"]) }
        let scored = verdict.flatMap { verdict -> Double? in
            guard case .number(let score)? = verdict["score"], score.isFinite else { return nil }
            return min(max(score, 0), 1)
        }
        guard judged != nil || scored != nil else { throw unreadable(answer, expecting: "a JSON verdict with pass or score") }
        let score = scored ?? (judged == true ? 1 : 0)
        var pass = judged ?? (score >= threshold(default: 0.5))
        var reason = "judge: " + (verdict?["reason"]?.stringValue.map { ReasonText.cut($0, limit: 300) } ?? "(no reason given)")
        reason += " (score \(ReasonText.number(score))"
        if let minimum = threshold {
            pass = pass && score >= minimum
            reason += score >= minimum ? ", threshold \(ReasonText.number(minimum)) met" : " < threshold \(ReasonText.number(minimum))"
        }
        reason += ")"
        return CheckResult(pass: pass, score: score, reason: reason)
    }

    /// `factuality`: the judge compares the output with the reference through `evals/factuality` and answers
    /// JSON `{choice, reason}` with OpenAI evals' Fact categories. Promptfoo's defaults: every choice passes but
    /// D (the output disagrees with the reference). A bare letter (`B`, `(B)`) is read when there is no JSON.
    func checkFactuality(_ text: String, _ value: JSONValue?, context: AssertionContext) async throws(CheckFailure) -> CheckResult {
        let reference = try gradingText(value, expected: "a string (the reference answer, such as '{{expected}}')")
        let answer = try await judge(
            "evals/factuality", ["input": .string(context.input), "expected": .string(reference), "output": .string(text)], context: context
        )
        let verdict = JSONExtraction.values(in: answer, objectsOnly: true).first { $0["choice"] != nil || $0["category"] != nil }
        let letter = verdict.map { Self.choiceLetter(($0["choice"] ?? $0["category"])?.stringValue ?? "") } ?? Self.bareChoice(answer)
        guard let letter, let meaning = Self.factCategories[letter] else {
            throw unreadable(answer, expecting: "a choice from A to E")
        }
        let judgeReason = verdict?["reason"]?.stringValue.map { ": " + ReasonText.cut($0, limit: 300) } ?? ""
        return .binary(letter != "D", "judge chose \(letter), \(meaning)\(judgeReason)")
    }

    /// `similar`: the cosine similarity of the output's embedding and the reference's (or the best of a list of
    /// references) is at least the threshold (default 0.75); the score is that similarity, clamped to 0…1.
    func checkSimilar(_ text: String, _ value: JSONValue?, context: AssertionContext) async throws(CheckFailure) -> CheckResult {
        let references = try references(value)
        let grader = try requireGrader(context)
        let vectors: [[Double]]
        do {
            vectors = try await grader.embed([text] + references, model: provider)
        } catch {
            throw CheckFailure("\(typeName): the grader failed: \(error)")
        }
        guard vectors.count == references.count + 1 else {
            throw CheckFailure("\(typeName): the grader returned \(vectors.count) embeddings for \(references.count + 1) texts")
        }
        var best = -Double.infinity
        var bestIndex = 0
        for (index, vector) in vectors.dropFirst().enumerated() {
            guard vector.count == vectors[0].count, !vector.isEmpty else {
                throw CheckFailure("\(typeName): the embeddings differ in length (\(vectors[0].count) and \(vector.count))")
            }
            let similarity = Self.cosine(vectors[0], vector)
            if similarity > best { (best, bestIndex) = (similarity, index) }
        }
        let minimum = threshold(default: 0.75)
        let which = references.count == 1 ? "" : " (best of \(references.count), to \(ReasonText.quote(references[bestIndex], limit: 40)))"
        return CheckResult(
            pass: best >= minimum, score: min(max(best, 0), 1), reason: "cosine similarity \(Self.compare(best, minimum))\(which)"
        )
    }

    /// OpenAI evals' Fact categories, as the reason states them.
    static let factCategories: [String: String] = [
        "A": "the output is a subset of the reference and consistent with it",
        "B": "the output is a superset of the reference and consistent with it",
        "C": "the output has the same details as the reference",
        "D": "the output disagrees with the reference",
        "E": "the answers differ, but not in ways that matter for factuality",
    ]

    /// The value as the text a judge is shown: a string, or other JSON as JSON text.
    private func gradingText(_ value: JSONValue?, expected: String) throws(CheckFailure) -> String {
        switch value {
        case .array?, .object?: return value!.jsonText
        default: return try text(value, expected: expected)
        }
    }

    private func requireGrader(_ context: AssertionContext) throws(CheckFailure) -> any EvalGrader {
        guard let grader = context.grader else { throw CheckFailure("\(typeName) needs a grader model, and this run has none") }
        return grader
    }

    private func judge(_ prompt: String, _ variables: [String: JSONValue], context: AssertionContext) async throws(CheckFailure) -> String {
        let grader = try requireGrader(context)
        do {
            return try await grader.judge(prompt: prompt, variables: variables, model: provider)
        } catch {
            throw CheckFailure("\(typeName): the grader failed: \(error)")
        }
    }

    private func unreadable(_ answer: String, expecting: String) -> CheckFailure {
        CheckFailure("\(typeName): cannot read \(expecting) in the judge's answer: '\(String(answer.prefix(200)))'")
    }

    /// `true`/`false`, also as strings.
    private static func passValue(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let pass)?: pass
        case .string(let text)?: ["true": true, "false": false][trimmed(text).lowercased()]
        default: nil
        }
    }

    /// `"B"`, `"(B)"`, `" b "` → `B`; nil when it is not one letter A–E.
    private static func choiceLetter(_ text: String) -> String? {
        var letter = trimmed(text).uppercased()
        if letter.hasPrefix("("), letter.hasSuffix(")") { letter = String(letter.dropFirst().dropLast()) }
        return factCategories[letter] == nil ? nil : letter
    }

    /// An answer that is only a letter, or starts with one followed by a non-letter (`(C) because…`).
    private static func bareChoice(_ answer: String) -> String? {
        var rest = Substring(trimmed(answer))
        if rest.first == "(" { rest = rest.dropFirst() }
        guard let first = rest.first else { return nil }
        if let next = rest.dropFirst().first, next.isLetter { return nil }
        return choiceLetter(String(first))
    }

    /// The cosine of the angle between `a` and `b`; 0 when either is all zeros.
    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var dot = 0.0
        var normA = 0.0
        var normB = 0.0
        for (x, y) in zip(a, b) {
            dot += x * y
            normA += x * x
            normB += y * y
        }
        guard normA > 0, normB > 0 else { return 0 }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }
}
