import Foundation

/// The record of one proxied call: what was asked, what came back, how long it took and what it cost.
public struct Trace: Sendable, Hashable {
    /// A time-ordered UUID (version 7), unique across instances.
    public var id: String
    public var createdAt: Date
    /// The path called, such as `/v1/chat/completions`.
    public var endpoint: String
    public var provider: String?
    /// The model as the client requested it.
    public var model: String?
    /// The model as the provider reported it, often a dated name.
    public var upstreamModel: String?
    public var stream: Bool
    public var status: TraceStatus
    /// The HTTP status the client received.
    public var statusCode: Int
    public var error: String?
    public var latencyMs: Double
    /// Time to the first streamed token; nil for non-streamed calls.
    public var ttftMs: Double?
    public var usage: TokenUsage
    /// Nil when the model has no known price.
    public var cost: USD?
    public var user: String?
    public var sessionID: String?
    public var tags: [String]
    public var metadata: [String: JSONValue]?
    /// The request body as sent by the client, capped at the store's body limit.
    public var request: String?
    /// The response body, or for streams the assembled output, capped likewise.
    public var response: String?
    public var requestTruncated: Bool
    public var responseTruncated: Bool
    /// The registry prompt the proxy rendered into the request, and its version.
    public var promptName: String?
    public var promptVersion: Int?
    /// What the guardrail checks found on the way in and out; empty when none fired.
    public var guardrails: [GuardrailResult]
    /// The virtual key the call came with, when auth is on: its id and its name at the time.
    public var keyID: String?
    public var keyName: String?
    /// Which side of a champion/challenger split answered (`champion`, `challenger`), or `shadow` for a shadow copy.
    public var variant: String?
    /// The trace this one was made for: a shadow copy's primary call.
    public var parentTraceID: String?
    /// True when Loupe answered from its response cache without calling the provider.
    public var cacheHit: Bool
    /// What the provider would have charged for a cached answer.
    public var costSaved: USD?
    /// The tries that failed before the answer (retries and fallbacks), oldest first.
    public var attempts: [TraceAttempt]

    public init(
        id: String = TraceID.make(),
        createdAt: Date = Date(),
        endpoint: String,
        provider: String? = nil,
        model: String? = nil,
        upstreamModel: String? = nil,
        stream: Bool = false,
        status: TraceStatus = .ok,
        statusCode: Int = 200,
        error: String? = nil,
        latencyMs: Double = 0,
        ttftMs: Double? = nil,
        usage: TokenUsage = TokenUsage(),
        cost: USD? = nil,
        user: String? = nil,
        sessionID: String? = nil,
        tags: [String] = [],
        metadata: [String: JSONValue]? = nil,
        request: String? = nil,
        response: String? = nil,
        requestTruncated: Bool = false,
        responseTruncated: Bool = false,
        promptName: String? = nil,
        promptVersion: Int? = nil,
        guardrails: [GuardrailResult] = [],
        keyID: String? = nil,
        keyName: String? = nil,
        variant: String? = nil,
        parentTraceID: String? = nil,
        cacheHit: Bool = false,
        costSaved: USD? = nil,
        attempts: [TraceAttempt] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.endpoint = endpoint
        self.provider = provider
        self.model = model
        self.upstreamModel = upstreamModel
        self.stream = stream
        self.status = status
        self.statusCode = statusCode
        self.error = error
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.usage = usage
        self.cost = cost
        self.user = user
        self.sessionID = sessionID
        self.tags = tags
        self.metadata = metadata
        self.request = request
        self.response = response
        self.requestTruncated = requestTruncated
        self.responseTruncated = responseTruncated
        self.promptName = promptName
        self.promptVersion = promptVersion
        self.guardrails = guardrails
        self.keyID = keyID
        self.keyName = keyName
        self.variant = variant
        self.parentTraceID = parentTraceID
        self.cacheHit = cacheHit
        self.costSaved = costSaved
        self.attempts = attempts
    }
}
