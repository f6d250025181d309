import HTTPTypes
import Hummingbird
import LoupeConfig
import LoupeCore
import LoupeGuardrails
import LoupeProxy
import NIOCore
import NIOHTTP1

/// Answers the common `/v1` calls on the client connection's event loop, with pooled NIO connections to the
/// provider, so a call never waits on a thread hop between Hummingbird's async handler, AsyncHTTPClient and the
/// sockets: about three quarters of the proxy's added latency (docs/PERFORMANCE.md).
///
/// It takes a call only when nothing about it needs the async path: a known endpoint, a body that parses,
/// OpenAI-style deployments (tried in turn, with retries), no prompt, guardrail, cache or shadow. Every other request
/// goes on to the routes of `ProxyController`, which record it in the same way. With auth on, the key, budgets and
/// rate limits are checked off the event loop, in one hop out and back.
struct Relay: Sendable {
    let router: ModelRouter
    let recorder: TraceRecorder
    let guardrails: GuardrailPolicySet
    let maxBodyBytes: Int
    /// Keys, budgets and rate limits; nil when auth is off.
    let gateway: Gateway?
    let pools: UpstreamPools
    let metrics: LoupeMetrics
    let retryPolicy: RetryPolicy
    /// The providers the relay can reach, by name.
    private let origins: [String: UpstreamOrigin]

    init(proxy: ProxyController<some RequestContext>, pools: UpstreamPools, metrics: LoupeMetrics) {
        self.metrics = metrics
        retryPolicy = proxy.retryPolicy
        router = proxy.modelRouter
        recorder = proxy.recorder
        guardrails = proxy.guardrails
        maxBodyBytes = proxy.maxBodyBytes
        gateway = proxy.gateway
        self.pools = pools
        origins = Self.origins(of: proxy.modelRouter.configuration)
    }

    /// Where each OpenAI-style provider the relay can reach is, by provider name.
    static func origins(of configuration: LoupeConfiguration) -> [String: UpstreamOrigin] {
        var origins: [String: UpstreamOrigin] = [:]
        for (name, provider) in configuration.providers where provider.kind == .openai {
            origins[name] = UpstreamOrigin(baseURL: provider.baseURL, caFile: provider.caFile)
        }
        return origins
    }

    /// The endpoint a request goes to and its body's length, when the relay may take it; decided on the head, before
    /// the body is read.
    func endpoint(for head: HTTPRequest) -> (endpoint: ProxyEndpoint, length: Int)? {
        guard head.method == .post, let path = head.path else { return nil }
        let endpoint: ProxyEndpoint
        switch path {
        case "/v1/chat/completions": endpoint = .chatCompletions
        case "/v1/completions": endpoint = .completions
        case "/v1/embeddings": endpoint = .embeddings
        case "/v1/responses": endpoint = .responses
        default: return nil
        }
        // One pass over the fields, as a lookup by name scans them all each time.
        var length: Int?
        for field in head.headerFields {
            switch field.name {
            case .contentLength:
                guard length == nil else { return nil }  // repeated
                length = Int(field.value)
            case .connection:
                if field.value.lowercased().contains("close") { return nil }
            case .transferEncoding, .expect, ProxyController<BasicRequestContext>.cacheHeader, ProxyController<BasicRequestContext>.cacheTTLHeader:
                return nil
            default:
                continue
            }
        }
        guard let length, length <= maxBodyBytes else { return nil }
        return (endpoint, length)
    }

    /// The call to relay for a whole request, or nil when it needs the async path (which also answers every
    /// error in the request itself, so those are worded and recorded in one place).
    /// `key` is the virtual key the call presented, when auth is on.
    func call(_ head: HTTPRequest, endpoint: ProxyEndpoint, body: ByteBuffer, arrived: ContinuousClock.Instant, key: VirtualKey? = nil) -> RelayRequest? {
        guard let path = head.path, let annotations = try? RequestAnnotations(headers: head.headerFields) else { return nil }
        let bytes = Array(body.readableBytesView)
        guard let parsed = try? ProxyRequestBody(bytes: bytes), parsed.prompt == nil, let model = parsed.model, !model.isEmpty else { return nil }
        var call = ProxyCall(trace: Trace(endpoint: path, stream: parsed.stream), started: arrived)
        call.annotate(with: annotations)
        call.key = key
        call.trace.keyID = key?.id
        call.trace.keyName = key?.name
        call.trace.user = call.trace.user ?? parsed.user
        guard let plan = router.plan(model: model, user: call.trace.user, keyID: key?.id), plan.shadow == nil, plan.cacheTTLSeconds == nil,
            plan.routes.allSatisfy({ origins[$0.providerName] != nil })  // OpenAI-style providers only
        else { return nil }
        if let policy = guardrails.policy(model: plan.model, prompt: nil), !policy.input.isEmpty || !policy.output.isEmpty { return nil }

        call.plan = plan
        call.route = plan.primary
        call.trace.model = plan.model
        if let variant = plan.variant { call.trace.variant = variant }
        call.trace.provider = plan.primary.providerName
        (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(bytes)

        let hideUsageChunk = ProxyController<BasicRequestContext>.hidesUsageChunk(parsed, endpoint: endpoint)
        let legs = plan.routes.map { route in
            let origin = origins[route.providerName]!
            let upstreamBody = ProxyController<BasicRequestContext>.openAIBody(
                bytes, parsed: parsed, model: call.sentModel(on: route), requestingUsage: hideUsageChunk
            )
            var headers = UpstreamHeaders.forRequest(head.headerFields, apiKey: route.provider.apiKey)
            headers.add(name: "host", value: origin.authority)
            headers.add(name: "content-length", value: String(upstreamBody.count))
            let upstreamHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: origin.target(for: path), headers: headers)
            return RelayRequest.Leg(route: route, origin: origin, head: upstreamHead, body: ByteBuffer(bytes: upstreamBody))
        }
        return RelayRequest(call: call, requestedModel: model, endpoint: endpoint, legs: legs, hideUsageChunk: hideUsageChunk)
    }
}

/// A call the relay has taken: what to send to each deployment, and the call it records.
struct RelayRequest: Sendable {
    /// One deployment of the plan, tried in order: where it is and what it gets.
    struct Leg: Sendable {
        var route: ModelRouter.Route
        var origin: UpstreamOrigin
        var head: HTTPRequestHead
        var body: ByteBuffer
    }

    var call: ProxyCall
    /// The model the client named, which keys and rate limits apply to (the trace names the one that answers).
    var requestedModel: String
    var endpoint: ProxyEndpoint
    var legs: [Leg]
    var hideUsageChunk: Bool
}
