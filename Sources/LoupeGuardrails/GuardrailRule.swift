import LoupeCore

/// One line of a policy: a check, what to do when it fires, and what to do when it cannot run.
public struct GuardrailRule: Sendable {
    /// What runs: a deterministic check, or a model asked through Loupe itself.
    public enum Kind: Sendable {
        case check(any GuardrailCheck)
        case judge(LLMJudge)
    }

    /// What a rule does when its check throws or its judge cannot answer.
    public enum ErrorHandling: String, Sendable, CaseIterable {
        /// Let the text through, and record the failure.
        case allow
        /// Treat the failure as a violation.
        case block
    }

    public var kind: Kind
    public var action: GuardrailResult.Action
    public var onError: ErrorHandling

    public init(_ kind: Kind, action: GuardrailResult.Action, onError: ErrorHandling = .allow) {
        self.kind = kind
        self.action = action
        self.onError = onError
    }

    /// A rule for a deterministic check.
    public init(_ check: any GuardrailCheck, action: GuardrailResult.Action, onError: ErrorHandling = .allow) {
        self.init(.check(check), action: action, onError: onError)
    }

    /// The check's name, as config and traces spell it.
    public var name: String {
        switch kind {
        case .check(let check): check.name
        case .judge: LLMJudge.name
        }
    }

    /// True when the rule can only judge a complete text, so a stream's output is checked when it ends.
    public var needsCompleteText: Bool {
        switch kind {
        case .check(let check): check.needsCompleteText
        case .judge: true
        }
    }

    var localCheck: (any GuardrailCheck)? {
        if case .check(let check) = kind { check } else { nil }
    }
}
