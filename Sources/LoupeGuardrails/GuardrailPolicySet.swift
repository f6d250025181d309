import LoupeCore

/// The configured policies, and which one applies to a call.
public struct GuardrailPolicySet: Sendable {
    public var policies: [String: GuardrailPolicy]
    let spec: GuardrailsSpec

    /// No policies: nothing is checked.
    public static let none = GuardrailPolicySet(policies: [:], spec: GuardrailsSpec())

    init(policies: [String: GuardrailPolicy], spec: GuardrailsSpec) {
        self.policies = policies
        self.spec = spec
    }

    /// Builds every rule of `spec`; the error says which policy, direction and rule is wrong.
    public init(_ spec: GuardrailsSpec) throws(GuardrailSpecError) {
        var policies: [String: GuardrailPolicy] = [:]
        for (name, policy) in spec.policies {
            var built = GuardrailPolicy(name: name)
            for (direction, rules) in [(GuardrailResult.Direction.input, policy.input), (.output, policy.output)] {
                for (index, rule) in rules.enumerated() {
                    do {
                        let made = try GuardrailCatalog.rule(rule)
                        if direction == .input { built.input.append(made) } else { built.output.append(made) }
                    } catch {
                        throw GuardrailSpecError(policy: name, direction: direction, index: index, problem: error)
                    }
                }
            }
            policies[name] = built
        }
        self.init(policies: policies, spec: spec)
    }

    /// The policy for a call: the prompt's, else the model's, else the default; nil when none applies.
    public func policy(model: String?, prompt: String?) -> GuardrailPolicy? {
        if let prompt, let name = spec.prompts[prompt] { return policies[name] }
        if let model, let name = spec.models[model] { return policies[name] }
        return spec.defaultPolicy.flatMap { policies[$0] }
    }

    /// A policy by name, for the check API.
    public func policy(named name: String) -> GuardrailPolicy? { policies[name] }

    /// The names of every policy, sorted.
    public var names: [String] { policies.keys.sorted() }
}

/// A rule in the guardrails config cannot be built.
public struct GuardrailSpecError: Error, Sendable, CustomStringConvertible {
    public var policy: String
    public var direction: GuardrailResult.Direction
    /// The rule's position in its list, from 0.
    public var index: Int
    public var problem: GuardrailOptionError

    public var description: String { "guardrails.policies.\(policy).\(direction.rawValue)[\(index)]: \(problem)" }
}
