import LoupeCore

/// A named set of rules for what goes to the provider (`input`) and what comes back (`output`).
public struct GuardrailPolicy: Sendable {
    public var name: String
    public var input: [GuardrailRule]
    public var output: [GuardrailRule]

    public init(name: String, input: [GuardrailRule] = [], output: [GuardrailRule] = []) {
        self.name = name
        self.input = input
        self.output = output
    }

    public func rules(_ direction: GuardrailResult.Direction) -> [GuardrailRule] {
        direction == .input ? input : output
    }

    /// `texts` with every span masked that a `block` or `redact` rule finds: what a trace may keep of a call
    /// the policy stopped or changed. Flagged findings stay, as the policy let them through.
    public func maskedForRecord(_ texts: [String], direction: GuardrailResult.Direction) -> [String] {
        let masking = rules(direction).compactMap { rule -> GuardrailRule? in
            guard rule.action != .flag, let check = rule.localCheck, check.canRedact, !check.needsCompleteText else { return nil }
            return GuardrailRule(check, action: .redact)
        }
        return Self.run(masking, over: texts, direction: direction).texts
    }

    /// The rules for `direction` that judge whole texts, as a policy of their own.
    public func completeTextRules(_ direction: GuardrailResult.Direction) -> GuardrailPolicy {
        let selected = rules(direction).filter(\.needsCompleteText)
        return direction == .input ? GuardrailPolicy(name: name, input: selected) : GuardrailPolicy(name: name, output: selected)
    }

    /// True when output must be held until a stream ends: a rule that judges whole texts could block it.
    public var holdsStreamedOutput: Bool {
        output.contains { $0.needsCompleteText && $0.action == .block }
    }
}
