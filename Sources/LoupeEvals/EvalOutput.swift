import LoupeCore

/// What a model answered for one case, with what the call measured.
public struct EvalOutput: Sendable, Hashable, Codable {
    /// The answer's text (the first choice's message content).
    public var text: String
    /// Tool calls the answer made, in order.
    public var toolCalls: [EvalToolCall]
    /// `stop`, `length`, `tool_calls`, `content_filter`…
    public var finishReason: String?
    /// Wall time of the call, as the client saw it.
    public var latencyMs: Double
    /// The call's price from Loupe's price table; nil when the model has none.
    public var costUSD: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// The proxy trace of the call.
    public var traceID: String?

    public init(
        text: String, toolCalls: [EvalToolCall] = [], finishReason: String? = nil, latencyMs: Double = 0, costUSD: Double? = nil,
        inputTokens: Int? = nil, outputTokens: Int? = nil, traceID: String? = nil
    ) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.latencyMs = latencyMs
        self.costUSD = costUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.traceID = traceID
    }
}

/// A function call in an answer: its name and its arguments as the model wrote them (JSON text).
public struct EvalToolCall: Sendable, Hashable, Codable {
    public var name: String
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}
