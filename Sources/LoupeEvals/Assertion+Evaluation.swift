import LoupeCore

extension Assertion {
    /// Checks `output`; a `not-` assertion inverts the pass and the score. Never throws: a check that cannot
    /// run (a grader that fails, a bad value) fails with the reason.
    public func evaluate(_ output: EvalOutput, context: AssertionContext) async -> AssertionOutcome {
        // Placeholder until the checks land: fails every case, with the reason.
        AssertionOutcome(pass: false, score: 0, reason: "\(typeName) is not implemented yet")
    }
}
