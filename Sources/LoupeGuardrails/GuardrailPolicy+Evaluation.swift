import LoupeCore

extension GuardrailPolicy {
    /// Runs the rules for `direction` over a call's texts (the request's messages, or each answer), in order:
    /// deterministic checks first, then `llm_judge` rules if no check has blocked the call already.
    ///
    /// On input, size checks see all the texts together, one per line; every other check, and every check
    /// on output, judges each text on its own.
    public func evaluate(_ texts: [String], direction: GuardrailResult.Direction, judge: (any GuardrailJudge)?) async -> GuardrailEvaluation {
        let all = rules(direction)
        var evaluation = Self.run(all, over: texts, direction: direction)
        guard evaluation.block == nil else { return evaluation }
        for rule in all {
            guard case .judge(let spec) = rule.kind else { continue }
            let targets = direction == .input ? [evaluation.texts.joined(separator: "\n")] : evaluation.texts
            for text in targets where !text.isEmpty {
                await Self.ask(judge, spec, rule: rule, text: text, direction: direction, into: &evaluation)
                if evaluation.block != nil { return evaluation }
            }
        }
        return evaluation
    }

    /// Runs the deterministic checks among `rules`, in order, redacting as it goes; judge rules are skipped.
    public static func run(_ rules: [GuardrailRule], over texts: [String], direction: GuardrailResult.Direction) -> GuardrailEvaluation {
        var evaluation = GuardrailEvaluation(texts: texts)
        for rule in rules {
            guard let check = rule.localCheck else { continue }
            if check.judgesAllTextsTogether && direction == .input && texts.count > 1 {
                _ = apply(rule, check, to: evaluation.texts.joined(separator: "\n"), direction: direction, into: &evaluation)
            } else {
                for index in evaluation.texts.indices {
                    let text = evaluation.texts[index]
                    if let redacted = apply(rule, check, to: text, direction: direction, into: &evaluation) { evaluation.texts[index] = redacted }
                }
            }
        }
        return evaluation
    }

    /// Runs one check on one text and records what it found; returns the text redacted, if the rule redacts.
    private static func apply(
        _ rule: GuardrailRule, _ check: any GuardrailCheck, to text: String, direction: GuardrailResult.Direction,
        into evaluation: inout GuardrailEvaluation
    ) -> String? {
        let findings: [GuardrailFinding]
        do {
            findings = try check.findings(in: text)
        } catch {
            recordFailure(of: rule, direction: direction, detail: "\(error)", into: &evaluation)
            return nil
        }
        guard !findings.isEmpty else { return nil }
        var counts: [(String, Int)] = []
        for finding in findings {
            if let index = counts.firstIndex(where: { $0.0 == finding.category }) { counts[index].1 += 1 } else { counts.append((finding.category, 1)) }
        }
        for (category, count) in counts {
            evaluation.record(GuardrailResult(direction: direction, check: check.name, action: rule.action, category: category, count: count))
        }
        switch rule.action {
        case .block:
            if evaluation.block == nil {
                evaluation.block = GuardrailBlock(direction: direction, check: check.name, category: findings[0].category, detail: findings[0].detail)
            }
        case .redact:
            if check.canRedact { return Redaction.apply(findings, of: check, to: text) }
        case .flag:
            break
        }
        return nil
    }

    /// A check that could not run: recorded as `check_error`, and a violation when the rule says `on_error: block`.
    static func recordFailure(of rule: GuardrailRule, direction: GuardrailResult.Direction, detail: String, into evaluation: inout GuardrailEvaluation) {
        let action: GuardrailResult.Action = rule.onError == .block ? .block : .flag
        evaluation.record(GuardrailResult(direction: direction, check: rule.name, action: action, category: "check_error", count: 1))
        if action == .block, evaluation.block == nil {
            evaluation.block = GuardrailBlock(direction: direction, check: rule.name, category: "check_error", detail: "the check could not run: \(detail)")
        }
    }

    private static func ask(
        _ judge: (any GuardrailJudge)?, _ spec: LLMJudge, rule: GuardrailRule, text: String,
        direction: GuardrailResult.Direction, into evaluation: inout GuardrailEvaluation
    ) async {
        guard let judge else {
            recordFailure(of: rule, direction: direction, detail: "no judge is available here", into: &evaluation)
            return
        }
        let answer: String
        do {
            answer = try await judge.answer(spec, text: text, direction: direction)
        } catch {
            recordFailure(of: rule, direction: direction, detail: "\(error)", into: &evaluation)
            return
        }
        switch spec.verdict(fromAnswer: answer) {
        case .pass:
            break
        case .fail(let category):
            // A judge cannot point at spans, so `redact` acts as `block`.
            let action: GuardrailResult.Action = rule.action == .flag ? .flag : .block
            evaluation.record(GuardrailResult(direction: direction, check: LLMJudge.name, action: action, category: category, count: 1))
            if action == .block, evaluation.block == nil {
                evaluation.block = GuardrailBlock(direction: direction, check: LLMJudge.name, category: category)
            }
        case nil:
            recordFailure(of: rule, direction: direction, detail: "the judge answered neither PASS nor FAIL", into: &evaluation)
        }
    }
}
