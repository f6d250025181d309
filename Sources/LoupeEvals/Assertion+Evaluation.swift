import LoupeCore

extension Assertion {
    /// Checks `output`; a `not-` assertion inverts the pass and the score. Never throws: a check that cannot
    /// run (a grader that fails, a bad value) fails with the reason.
    ///
    /// The value is rendered with the case first (see `renderedValue`). A check that cannot run fails even
    /// when negated: `not-contains` with a number list for a value is a broken assertion, not a pass.
    public func evaluate(_ output: EvalOutput, context: AssertionContext) async -> AssertionOutcome {
        let result: CheckResult
        do throws(CheckFailure) {
            result = try await check(output, value: try renderedValue(context), context: context)
        } catch {
            return AssertionOutcome(pass: false, score: 0, reason: error.reason)
        }
        guard negated else { return AssertionOutcome(pass: result.pass, score: result.score, reason: result.reason) }
        let why = result.pass ? "expected it not to" : "negated, so it passes"
        return AssertionOutcome(pass: !result.pass, score: 1 - result.score, reason: "\(result.reason) (\(typeName): \(why))")
    }

    /// Runs this assertion's type, before negation.
    private func check(_ output: EvalOutput, value: JSONValue?, context: AssertionContext) async throws(CheckFailure) -> CheckResult {
        switch kind {
        case .equals: try checkEquals(output.text, value)
        case .contains: try checkContains(output.text, value, ignoringCase: false)
        case .icontains: try checkContains(output.text, value, ignoringCase: true)
        case .containsAny: try checkContainsAny(output.text, value)
        case .containsAll: try checkContainsAll(output.text, value)
        case .startsWith: try checkStartsWith(output.text, value)
        case .regex: try checkRegex(output.text, value)
        case .isJSON: try checkIsJSON(output.text, value)
        case .containsJSON: try checkContainsJSON(output.text, value)
        case .jsonSchema: try checkJSONSchema(output.text, value)
        case .levenshtein: try checkLevenshtein(output.text, value)
        case .rougeN: try checkRouge(output.text, value)
        case .bleu: try checkBLEU(output.text, value)
        case .wordCount: try checkWordCount(output.text, value)
        case .latency: try checkLatency(output)
        case .cost: try checkCost(output)
        case .finishReason: try checkFinishReason(output, value)
        case .isValidOpenAIToolsCall: try checkToolsCall(output, tools: context.tools)
        case .toolCall: try checkToolCall(output, value)
        case .guardrail: try await checkGuardrail(output.text, value, policies: context.guardrails)
        case .llmRubric: try await checkRubric(output.text, value, context: context)
        case .factuality: try await checkFactuality(output.text, value, context: context)
        case .similar: try await checkSimilar(output.text, value, context: context)
        }
    }
}
