import LoupeCore
import LoupeGuardrails

/// Asks models on an assertion's behalf: the judge of `llm-rubric` and `factuality`, and the embeddings
/// of `similar`. The runner's grader calls through Loupe's proxy, so these calls are traced and priced too.
public protocol EvalGrader: Sendable {
    /// Renders the registry prompt `prompt` with `variables` and sends it to `model` (nil: the suite's judge
    /// model); returns the answer's text.
    func judge(prompt: String, variables: [String: JSONValue], model: String?) async throws -> String

    /// One embedding per text, from `model` (nil: the suite's embedding model).
    func embed(_ texts: [String], model: String?) async throws -> [[Double]]
}

/// What an assertion is evaluated with, besides the answer.
public struct AssertionContext: Sendable {
    /// The case's variables.
    public var vars: [String: JSONValue]
    /// The case's expected answer, if it has one.
    public var expected: JSONValue?
    /// The `tools` the request offered (OpenAI's shape), for `is-valid-openai-tools-call`.
    public var tools: JSONValue?
    /// The input that was sent, as text (the rendered messages), for graders that need the question.
    public var input: String
    /// The policies of the config, for `guardrail`.
    public var guardrails: GuardrailPolicySet?
    /// Asks models for the model-graded types; nil when the run has none (those types then fail with a reason).
    public var grader: (any EvalGrader)?

    public init(
        vars: [String: JSONValue] = [:], expected: JSONValue? = nil, tools: JSONValue? = nil, input: String = "",
        guardrails: GuardrailPolicySet? = nil, grader: (any EvalGrader)? = nil
    ) {
        self.vars = vars
        self.expected = expected
        self.tools = tools
        self.input = input
        self.guardrails = guardrails
        self.grader = grader
    }
}
