import LoupeCore

/// The outcome of running a policy's rules for one direction over a call's texts.
public struct GuardrailEvaluation: Sendable {
    /// The texts after redaction, in the order given.
    public var texts: [String]
    /// What fired, one entry per check, action and category.
    public var results: [GuardrailResult]
    /// The first violation of a `block` rule; nil when the call may go on.
    public var block: GuardrailBlock?

    public init(texts: [String], results: [GuardrailResult] = [], block: GuardrailBlock? = nil) {
        self.texts = texts
        self.results = results
        self.block = block
    }

    /// True when a `redact` rule changed any text.
    public var redacted: Bool { results.contains { $0.action == .redact } }

    /// Adds `other`'s results, keeping one entry per direction, check, action and category.
    public mutating func merge(_ results: [GuardrailResult]) {
        for result in results { record(result) }
    }

    mutating func record(_ result: GuardrailResult) {
        if let index = results.firstIndex(where: {
            $0.direction == result.direction && $0.check == result.check && $0.action == result.action && $0.category == result.category
        }) {
            results[index].count += result.count
        } else {
            results.append(result)
        }
    }
}

/// Why a call was stopped: the check and category, never the matched text.
public struct GuardrailBlock: Sendable, Hashable, CustomStringConvertible {
    public var direction: GuardrailResult.Direction
    public var check: String
    public var category: String
    /// More about whole-text faults, such as the schema violation.
    public var detail: String?

    public init(direction: GuardrailResult.Direction, check: String, category: String, detail: String? = nil) {
        self.direction = direction
        self.check = check
        self.category = category
        self.detail = detail
    }

    public var description: String {
        let place = direction == .input ? "the request" : "the model's answer"
        let base = "Blocked by guardrail: the '\(check)' check found \(category) in \(place)"
        return detail.map { "\(base) (\($0))." } ?? "\(base)."
    }
}
