import HTTPTypes
import LoupeCore
import LoupeGuardrails
import LoupeProxy

/// Everything one proxied call carries while it is in flight.
struct ProxyCall: Sendable {
    /// Who made the call: a client, or Loupe itself.
    enum Origin: Sendable {
        case client
        /// A guardrail judge's call: no key, no budget, no guardrails of its own.
        case judge
        /// A shadow copy of a client's call, recorded and never returned.
        case shadow(ShadowJob)
    }

    let started: ContinuousClock.Instant
    var trace: Trace
    /// Where the call goes; `route` is the deployment that answered, or the one tried last.
    var plan: ModelRouter.Plan?
    var route: ModelRouter.Route?
    /// The guardrail policy that applies, and where the endpoint keeps its text.
    var guardrails: GuardrailPolicy?
    var guardedFormat: GuardedText.Format?
    /// The virtual key the call came with, when auth is on.
    var key: VirtualKey?
    /// Where the answer goes in the response cache, and for how many seconds; nil when it is not cached.
    var cacheKey: String?
    var cacheTTL: Int?
    /// Metrics: when the try that answered was sent, and the providers' total time once its answer was read.
    var upstreamStarted: ContinuousClock.Instant?
    var upstreamMs: Double?

    init(trace: Trace, route: ModelRouter.Route? = nil, started: ContinuousClock.Instant = .now) {
        self.started = started
        self.trace = trace
        self.route = route
    }

    /// Milliseconds since the call arrived.
    var elapsedMs: Double { Self.milliseconds(ContinuousClock.now - started) }

    /// The model name sent to `route`: the deployment's own name for it, else the model the plan chose (a split
    /// side served by the default provider), else the client's.
    func sentModel(on route: ModelRouter.Route) -> String? {
        route.upstreamModel ?? plan?.model ?? trace.model
    }

    /// Metrics: the answer's last byte has arrived; the providers' time is every failed try plus the one that answered.
    mutating func upstreamFinished() {
        guard let upstreamStarted, upstreamMs == nil else { return }
        upstreamMs = trace.attempts.reduce(0) { $0 + $1.latencyMs } + Self.milliseconds(ContinuousClock.now - upstreamStarted)
    }

    /// Model names to price the call by: the provider's, then the one sent upstream, then the client's.
    var pricingNames: [String?] { [trace.upstreamModel, route?.upstreamModel, trace.model] }

    /// Takes what the client's `X-Loupe-*` headers say about the call.
    mutating func annotate(with annotations: RequestAnnotations) {
        trace.user = annotations.user
        trace.sessionID = annotations.sessionID
        trace.tags = annotations.tags
        trace.metadata = annotations.metadata
    }

    /// Reads the tokens and the provider's model name from a whole answer.
    mutating func read(_ summary: ResponseSummary) {
        trace.upstreamModel = summary.upstreamModel
        trace.usage = summary.usage
    }

    /// Settles a call whose answer goes to the client as the provider gave it: its outcome, stored body and latency.
    mutating func settle(answer bytes: some Collection<UInt8>, summary: ResponseSummary, recorder: TraceRecorder) {
        settle(summary)
        (trace.response, trace.responseTruncated) = recorder.storedBody(bytes)
    }

    /// Settles such a call's outcome and latency; its body is stored apart.
    mutating func settle(_ summary: ResponseSummary) {
        if (200..<300).contains(trace.statusCode) {
            trace.status = .ok
        } else {
            trace.status = .error
            trace.error = summary.errorMessage ?? "provider answered HTTP \(trace.statusCode)"
        }
        trace.latencyMs = elapsedMs
    }

    /// Settles a call that Loupe answers with `error` itself; `keepResponse` keeps an answer already stored.
    mutating func settle(failure error: APIError, keepResponse: Bool = false) {
        upstreamFinished()  // metrics: before the whole time is taken, so it is never the larger
        trace.status = .error
        trace.statusCode = Int(error.status.code)
        trace.error = error.message
        trace.latencyMs = elapsedMs
        if !keepResponse || trace.response == nil { trace.response = error.body }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
