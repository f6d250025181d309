import Foundation

/// What a comparison report needs of one call: which model answered, how it went, how long it took and what it cost.
public struct ComparisonFact: Sendable, Hashable {
    public var createdAtMillis: Int64
    public var model: String?
    public var variant: String?
    public var status: TraceStatus
    public var latencyMs: Double
    /// Nil for calls that were not streamed.
    public var ttftMs: Double?
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    /// Nil when the model had no known price.
    public var costPicos: Int64?
    public var cacheHit: Bool

    public init(
        createdAtMillis: Int64, model: String?, variant: String? = nil, status: TraceStatus, latencyMs: Double, ttftMs: Double? = nil,
        inputTokens: Int64? = nil, outputTokens: Int64? = nil, costPicos: Int64? = nil, cacheHit: Bool = false
    ) {
        self.createdAtMillis = createdAtMillis
        self.model = model
        self.variant = variant
        self.status = status
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costPicos = costPicos
        self.cacheHit = cacheHit
    }

    /// The facts of a stored trace.
    public init(_ trace: Trace) {
        self.init(
            createdAtMillis: trace.createdAt.unixMillis, model: trace.model, variant: trace.variant, status: trace.status,
            latencyMs: trace.latencyMs, ttftMs: trace.ttftMs, inputTokens: trace.usage.inputTokens.map(Int64.init),
            outputTokens: trace.usage.outputTokens.map(Int64.init), costPicos: trace.cost?.picos, cacheHit: trace.cacheHit
        )
    }
}

/// A shadow call and the primary call it copied.
public struct ShadowPair: Sendable, Hashable {
    public var primary: ComparisonFact
    public var shadow: ComparisonFact

    public init(primary: ComparisonFact, shadow: ComparisonFact) {
        self.primary = primary
        self.shadow = shadow
    }
}
