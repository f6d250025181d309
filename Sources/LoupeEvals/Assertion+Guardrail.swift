import LoupeCore
import LoupeGuardrails

extension Assertion {
    /// `guardrail`: runs the output rules of the policy the value names (default `default`) over the output, as
    /// the proxy would on an answer; passes when no rule blocks it. Flags and redactions do not fail it, but the
    /// reason lists them. `llm_judge` rules get no judge here, so they record a `check_error` and block only
    /// where the rule says `on_error: block`.
    func checkGuardrail(_ text: String, _ value: JSONValue?, policies: GuardrailPolicySet?) async throws(CheckFailure) -> CheckResult {
        let name: String
        switch value {
        case nil, .null?: name = "default"
        case .string(let given)? where !given.isEmpty: name = given
        default: throw badValue(value, expected: "a string (the guardrail policy's name)")
        }
        guard let policies, let policy = policies.policy(named: name) else {
            let known = policies?.names ?? []
            let list = known.isEmpty ? "the config has no guardrail policies" : "known policies: \(known.joined(separator: ", "))"
            throw CheckFailure("\(typeName): no guardrail policy named '\(name)' (\(list))")
        }
        let evaluation = await policy.evaluate([text], direction: .output, judge: nil)
        var found: [String] = []
        for result in evaluation.results where result.action != .block {
            let verb = result.action == .flag ? "flagged" : "redacted"
            found.append("\(verb) \(result.check)/\(result.category) ×\(result.count)")
        }
        let foundText = found.isEmpty ? "" : " (\(found.joined(separator: ", ")))"
        if let block = evaluation.block {
            let detail = block.detail.map { ": \($0)" } ?? ""
            return .binary(false, "policy '\(name)' blocks the output: \(block.check) found \(block.category)\(detail)\(foundText)")
        }
        return .binary(true, "policy '\(name)' lets the output through\(foundText)")
    }
}
