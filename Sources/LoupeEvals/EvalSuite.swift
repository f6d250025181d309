import LoupeCore

/// An eval suite as `evals/<suite>.yaml` describes it: prompts × models × cases, each answer checked by
/// assertions, and the pass rate the suite must reach (Promptfoo's config, with Loupe's registry prompts).
public struct EvalSuite: Sendable, Hashable {
    /// The suite's name: its file name without `.yaml`.
    public var name: String
    public var description: String
    public var prompts: [EvalPrompt]
    /// Model names as Loupe's proxy config knows them (aliases included).
    public var models: [String]
    /// The cases: the dataset's, or the suite's inline `tests`.
    public var cases: [EvalCase]
    /// The dataset file the cases came from, with its content hash; nil for inline tests.
    public var dataset: DatasetReference?
    /// Checked on every case, before the case's own.
    public var defaultAssertions: [Assertion]
    /// The pass rate (0–1) below which the suite fails.
    public var threshold: Double
    /// Calls in flight at once.
    public var concurrency: Int
    /// How many times each case runs per prompt and model.
    public var repeatCount: Int
    /// Request parameters sent with every call (`temperature`, `max_tokens`…), under the prompt's own.
    public var parameters: [String: JSONValue]
    /// The model that grades `llm-rubric` and `factuality`, unless an assertion names its own.
    public var judgeModel: String?
    /// The model that embeds for `similar`, unless an assertion names its own.
    public var embeddingModel: String?
    /// The tracking experiment the runs are stored in (default `evals/<name>`).
    public var experiment: String

    public init(
        name: String, description: String = "", prompts: [EvalPrompt], models: [String], cases: [EvalCase], dataset: DatasetReference? = nil,
        defaultAssertions: [Assertion] = [], threshold: Double = 1, concurrency: Int = 4, repeatCount: Int = 1,
        parameters: [String: JSONValue] = [:], judgeModel: String? = nil, embeddingModel: String? = nil, experiment: String? = nil
    ) {
        self.name = name
        self.description = description
        self.prompts = prompts
        self.models = models
        self.cases = cases
        self.dataset = dataset
        self.defaultAssertions = defaultAssertions
        self.threshold = threshold
        self.concurrency = concurrency
        self.repeatCount = repeatCount
        self.parameters = parameters
        self.judgeModel = judgeModel
        self.embeddingModel = embeddingModel
        self.experiment = experiment ?? "evals/\(name)"
    }
}

/// A prompt of a suite: a registry reference (`support/reply:production`, `support/reply@3`, `support/reply`)
/// or inline Mustache text sent as one user message.
public enum EvalPrompt: Sendable, Hashable {
    /// A registry prompt; `label` or `version` (neither: `production`, else the latest).
    case registry(name: String, label: String?, version: Int?)
    /// Text written in the suite.
    case inline(String)

    /// How reports name it: the reference as written, or the text's first 40 characters.
    public var displayName: String {
        switch self {
        case .registry(let name, let label, let version):
            if let version { return "\(name)@\(version)" }
            if let label { return "\(name):\(label)" }
            return name
        case .inline(let text):
            let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            return line.count > 40 ? String(line.prefix(39)) + "…" : line
        }
    }
}

/// One test case: variables for the prompt, what is expected, and checks of its own.
public struct EvalCase: Sendable, Hashable {
    /// A short name for reports; defaults to the dataset line or the test's position.
    public var description: String?
    public var vars: [String: JSONValue]
    public var expected: JSONValue?
    public var metadata: [String: JSONValue]
    /// Checked after the suite's `default_assert`.
    public var assertions: [Assertion]
    /// `tools` offered to the model with this case (OpenAI's shape), if any.
    public var tools: JSONValue?
    /// Where it came from, for errors and reports: `datasets/support.jsonl:3` or `evals/support.yaml tests[2]`.
    public var source: String

    public init(
        description: String? = nil, vars: [String: JSONValue], expected: JSONValue? = nil, metadata: [String: JSONValue] = [:],
        assertions: [Assertion] = [], tools: JSONValue? = nil, source: String
    ) {
        self.description = description
        self.vars = vars
        self.expected = expected
        self.metadata = metadata
        self.assertions = assertions
        self.tools = tools
        self.source = source
    }
}

/// A dataset file as a run used it: its path and the SHA-256 of its bytes, which versions it.
public struct DatasetReference: Sendable, Hashable, Codable {
    public var path: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public var contentHash: String
    public var cases: Int

    public init(path: String, contentHash: String, cases: Int) {
        self.path = path
        self.contentHash = contentHash
        self.cases = cases
    }
}
