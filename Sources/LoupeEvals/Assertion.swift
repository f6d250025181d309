import LoupeCore

/// One check on a model's answer, as a suite's `assert` or `default_assert` lists it: `{type, value,
/// threshold, weight, metric, provider}`, where a `not-` prefix on the type inverts it (Promptfoo's names).
public struct Assertion: Sendable, Hashable {
    public var kind: AssertionKind
    /// `not-<type>`: passes when the check fails.
    public var negated: Bool
    /// What the output is checked against. Strings may hold Mustache tags (`{{expected}}`, `{{vars.x}}` or a
    /// var's name), rendered with the case before the check.
    public var value: JSONValue?
    /// The bound for checks that compare a number: a minimum score, or a maximum latency, cost or distance.
    public var threshold: Double?
    /// This check's share of the case's score.
    public var weight: Double
    /// A name under which this check's score is also reported, aggregated over the run.
    public var metric: String?
    /// The model that grades (`llm-rubric`, `factuality`) or embeds (`similar`); nil uses the suite's.
    public var provider: String?

    public init(
        kind: AssertionKind, negated: Bool = false, value: JSONValue? = nil, threshold: Double? = nil, weight: Double = 1,
        metric: String? = nil, provider: String? = nil
    ) {
        self.kind = kind
        self.negated = negated
        self.value = value
        self.threshold = threshold
        self.weight = weight
        self.metric = metric
        self.provider = provider
    }

    /// The type as written: `icontains`, `not-icontains`.
    public var typeName: String { negated ? "not-\(kind.rawValue)" : kind.rawValue }
}

/// Every assertion type a suite may name.
public enum AssertionKind: String, Sendable, Hashable, CaseIterable {
    case equals
    case contains
    case icontains
    case containsAny = "contains-any"
    case containsAll = "contains-all"
    case startsWith = "starts-with"
    case regex
    case isJSON = "is-json"
    case containsJSON = "contains-json"
    case jsonSchema = "json-schema"
    case levenshtein
    case rougeN = "rouge-n"
    case bleu
    case wordCount = "word-count"
    case latency
    case cost
    case finishReason = "finish-reason"
    case isValidOpenAIToolsCall = "is-valid-openai-tools-call"
    case toolCall = "tool-call"
    case guardrail
    case llmRubric = "llm-rubric"
    case factuality
    case similar

    /// Types that ask a model: they need a grader, and their calls are traced and priced.
    public var isModelGraded: Bool { self == .llmRubric || self == .factuality || self == .similar }

    /// The type names, for error messages that list the valid ones.
    public static var names: [String] { allCases.map(\.rawValue) }
}

/// The result of one assertion on one answer.
public struct AssertionOutcome: Sendable, Hashable, Codable {
    public var pass: Bool
    /// From 0 to 1.
    public var score: Double
    /// Why it passed or failed, for the report.
    public var reason: String

    public init(pass: Bool, score: Double, reason: String) {
        self.pass = pass
        self.score = score
        self.reason = reason
    }
}
