import LoupeCore

/// Where a suite's calls go: Loupe's proxy, in this process or in a running server.
public protocol EvalTarget: Sendable {
    /// Pins a registry prompt's label (or `production`, else the latest) to a version, so the run records
    /// what it tested and every case uses the same one; inline text comes back as it is. Throws
    /// `EvalSuiteError` for a reference the registry does not have.
    func resolve(_ prompt: EvalPrompt) async throws -> EvalPrompt

    /// Sends one case and returns the answer.
    func complete(_ request: EvalRequest) async throws(EvalCallError) -> EvalOutput

    /// The input as the model saw it, as text: what graders judge against and reports show.
    func inputText(_ request: EvalRequest) async -> String
}

/// One call: a pinned prompt with a case's variables, to one model.
public struct EvalRequest: Sendable, Hashable {
    public var prompt: EvalPrompt
    public var model: String
    public var vars: [String: JSONValue]
    public var tools: JSONValue?
    public var parameters: [String: JSONValue]

    public init(prompt: EvalPrompt, model: String, vars: [String: JSONValue], tools: JSONValue? = nil, parameters: [String: JSONValue] = [:]) {
        self.prompt = prompt
        self.model = model
        self.vars = vars
        self.tools = tools
        self.parameters = parameters
    }

    /// What identifies the answer for the response cache: the model, the request as rendered (`input`, so an
    /// edited partial is a new entry), the parameters and the tools.
    public func cacheKey(input: String) -> String {
        var parts: [String: JSONValue] = ["model": .string(model), "input": .string(input), "parameters": .object(parameters)]
        if case .registry(let name, _, let version) = prompt {
            parts["prompt"] = .string(name)
            parts["version"] = version.map { .number(Double($0)) } ?? .null
        }
        if let tools { parts["tools"] = tools }
        return JSONValue.object(parts).jsonText
    }
}

/// A call that did not produce an answer: the case is an ERROR, not a FAIL.
public struct EvalCallError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// The HTTP status, when the proxy answered.
    public var status: Int?
    /// Worth trying again: a rate limit, a server error, a timeout or a lost connection.
    public var retryable: Bool
    /// How long the provider asked to wait (`Retry-After`), in seconds.
    public var retryAfterSeconds: Double?

    public init(message: String, status: Int? = nil, retryable: Bool, retryAfterSeconds: Double? = nil) {
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { status.map { "HTTP \($0): \(message)" } ?? message }
}

/// A suite that cannot run: an unknown prompt reference, an unreadable dataset, a bad filter.
public struct EvalSuiteError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
