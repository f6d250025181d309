import LoupeCore

/// The `guardrails` section of the config as written: policies of rule specs, and which policy applies where.
public struct GuardrailsSpec: Sendable, Hashable {
    /// One rule as written: `{check: pii, action: redact, on_error: allow, …options}`.
    public struct Rule: Sendable, Hashable {
        public var check: String
        public var action: GuardrailResult.Action
        public var onError: GuardrailRule.ErrorHandling
        public var options: GuardrailOptions

        public init(check: String, action: GuardrailResult.Action, onError: GuardrailRule.ErrorHandling = .allow, options: GuardrailOptions = GuardrailOptions()) {
            self.check = check
            self.action = action
            self.onError = onError
            self.options = options
        }
    }

    public struct Policy: Sendable, Hashable {
        public var input: [Rule]
        public var output: [Rule]

        public init(input: [Rule] = [], output: [Rule] = []) {
            self.input = input
            self.output = output
        }
    }

    public var policies: [String: Policy]
    /// The policy for calls that no more specific entry names; nil leaves them unchecked.
    public var defaultPolicy: String?
    /// Policies by the model name clients send.
    public var models: [String: String]
    /// Policies by registry prompt name, for calls that render one.
    public var prompts: [String: String]

    public init(policies: [String: Policy] = [:], defaultPolicy: String? = nil, models: [String: String] = [:], prompts: [String: String] = [:]) {
        self.policies = policies
        self.defaultPolicy = defaultPolicy
        self.models = models
        self.prompts = prompts
    }

    public var isEmpty: Bool { policies.isEmpty }
}
