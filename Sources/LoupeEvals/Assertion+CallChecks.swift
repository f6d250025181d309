import LoupeCore

extension Assertion {
    /// `latency`: the call took at most `threshold` milliseconds, which is required.
    func checkLatency(_ output: EvalOutput) throws(CheckFailure) -> CheckResult {
        guard let limit = threshold else { throw CheckFailure("\(typeName) needs a threshold: the most milliseconds the call may take") }
        let pass = output.latencyMs <= limit
        let (took, most) = (ReasonText.number(output.latencyMs, digits: 1), ReasonText.number(limit, digits: 1))
        return .binary(pass, "latency \(took) ms \(pass ? "≤" : ">") \(most) ms")
    }

    /// `cost`: the call cost at most `threshold` US dollars, which is required; a call without a known price
    /// cannot be checked, and fails.
    func checkCost(_ output: EvalOutput) throws(CheckFailure) -> CheckResult {
        guard let limit = threshold else { throw CheckFailure("\(typeName) needs a threshold: the most US dollars the call may cost") }
        guard let cost = output.costUSD else {
            throw CheckFailure("\(typeName): the call's cost is unknown (Loupe's price table has no price for the model)")
        }
        let pass = cost <= limit
        return .binary(pass, "cost $\(ReasonText.number(cost, digits: 6)) \(pass ? "≤" : ">") $\(ReasonText.number(limit, digits: 6))")
    }

    /// `finish-reason`: the answer stopped for the value's reason (`stop`, `length`, `tool_calls`,
    /// `content_filter`), compared ignoring case and surrounding whitespace as Promptfoo does.
    func checkFinishReason(_ output: EvalOutput, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let expected = try text(value, expected: "a string (the finish reason, such as stop or length)")
        guard let actual = output.finishReason else { return .binary(false, "the answer has no finish reason (expected '\(expected)')") }
        let pass = Self.trimmed(actual).lowercased() == Self.trimmed(expected).lowercased()
        return .binary(pass, pass ? "finish reason is '\(actual)'" : "finish reason is '\(actual)', not '\(expected)'")
    }
}
