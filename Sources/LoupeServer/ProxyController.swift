import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeConfig
import LoupeCore
import LoupeGuardrails
import LoupeProxy
import NIOCore
import NIOHTTP1

/// The OpenAI-compatible routes under `/v1`: forward each call and record a trace of it.
struct ProxyController<Context: RequestContext>: Sendable {
    let modelRouter: ModelRouter
    let client: HTTPClient
    let recorder: TraceRecorder
    let prompts: PromptCache
    let guardrails: GuardrailPolicySet
    let maxBodyBytes: Int
    /// Keys, budgets and rate limits; nil when auth is off.
    var gateway: Gateway? = nil
    /// Where shadow copies wait to be sent; nil sends none.
    var shadows: ShadowQueue? = nil
    /// How failed deployments are retried.
    var retryPolicy = RetryPolicy()
    /// Answers kept for repeated identical requests; nil caches nothing.
    var responseCache: ResponseCache? = nil
    /// Seconds an answer is cached when `X-Loupe-Cache: true` asks and neither the model nor the request says.
    var cacheDefaultTTL = 3600

    /// Responses bigger than this are not buffered; no OpenAI endpoint comes near it.
    static var maxResponseBytes: Int { 256 * 1024 * 1024 }

    func addRoutes(to router: Router<Context>) {
        let v1 = router.group("v1")
        v1.post("chat/completions") { request, _ in await proxy(request, endpoint: .chatCompletions) }
        v1.post("completions") { request, _ in await proxy(request, endpoint: .completions) }
        v1.post("embeddings") { request, _ in await proxy(request, endpoint: .embeddings) }
        v1.post("responses") { request, _ in await proxy(request, endpoint: .responses) }
        v1.get("models") { request, _ in await listModels(request) }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            v1.on("**", method: method) { request, _ in await proxy(request, endpoint: .passthrough) }
        }
    }

    /// Forwards one call: a client's, or one Loupe makes itself (a guardrail judge, a shadow copy).
    func proxy(_ request: Request, endpoint: ProxyEndpoint, origin: ProxyCall.Origin = .client) async -> Response {
        var call = ProxyCall(trace: Trace(endpoint: request.uri.path, stream: false))
        do throws(APIError) {
            call.annotate(with: try RequestAnnotations(headers: request.headers))
        } catch {
            return await fail(&call, error)
        }
        // Loupe's own calls come from inside (no headers to check); every client call shows its key.
        if case .shadow(let job) = origin {
            call.trace.variant = "shadow"
            call.trace.parentTraceID = job.parentTraceID
            (call.trace.promptName, call.trace.promptVersion) = (job.promptName, job.promptVersion)
        } else if let gateway, case .client = origin {
            do throws(APIError) {
                call.key = try await gateway.authenticate(request.headers)
                call.trace.keyID = call.key?.id
                call.trace.keyName = call.key?.name
            } catch {
                return await fail(&call, error)
            }
        }

        var body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            return await fail(&call, .bodyTooLarge(limit: maxBodyBytes))
        } catch {
            return await fail(&call, APIError(status: .badRequest, message: "The request body could not be read: \(error)", code: "invalid_body"))
        }
        (call.trace.request, call.trace.requestTruncated) = recorder.storedBody(body)

        // Read what the proxy routes and records by; pass-through calls are forwarded as they are.
        var parsed: ProxyRequestBody?
        if endpoint.requiresModel {
            do throws(ProxyRequestBody.Problem) {
                parsed = try ProxyRequestBody(bytes: body)
            } catch {
                return await fail(&call, Self.apiError(for: error))
            }
        } else if !body.isEmpty, request.headers[.contentType]?.contains("json") == true {
            parsed = try? ProxyRequestBody(bytes: body)
        }
        if endpoint == .chatCompletions, let current = parsed, let reference = current.prompt {
            do {
                body = try await renderPrompt(reference, into: current, call: &call)
                parsed = try ProxyRequestBody(bytes: body)
            } catch let error as APIError {
                return await fail(&call, error)
            } catch {
                return await fail(&call, APIError(status: .badRequest, message: "The rendered prompt is not a valid request: \(error)", code: "invalid_prompt", param: "prompt"))
            }
        }
        call.trace.model = parsed?.model
        call.trace.stream = parsed?.stream ?? false
        call.trace.user = call.trace.user ?? parsed?.user
        // A shadow copy is the operator's experiment, not the caller's spending: no key and no user, so no
        // budget pays for it. Its parent trace says whose call it copied.
        if case .shadow = origin { call.trace.user = nil }

        if endpoint.requiresModel, call.trace.model?.isEmpty ?? true {
            return await fail(&call, .missingModel())
        }
        // A shadow copy's body names the shadow model, so it is planned like any call (shadows are never split).
        if let model = call.trace.model {
            call.plan = modelRouter.plan(model: model, user: call.trace.user, keyID: call.key?.id)
            call.route = call.plan?.primary
        } else {
            call.route = modelRouter.defaultRoute
        }
        guard let route = call.route else {
            if let model = call.trace.model {
                return await fail(&call, .unknownModel(model, known: modelRouter.configuredModels))
            }
            return await fail(&call, APIError(status: .notFound, message: "No default_provider is configured to serve \(request.uri.path).", code: "no_provider"))
        }
        call.trace.provider = route.providerName
        if let gateway, case .client = origin {
            do throws(APIError) {
                try await gateway.admit(key: call.key, user: call.trace.user, model: call.trace.model)
            } catch {
                return await fail(&call, error)
            }
        }
        // The trace names the model that answers; a split also says which side it was.
        if let plan = call.plan {
            call.trace.model = plan.model
            if let variant = plan.variant { call.trace.variant = variant }
        }

        if case .client = origin, let format = endpoint.guardedFormat, let current = parsed {
            call.guardrails = guardrails.policy(model: call.trace.model, prompt: call.trace.promptName)
            call.guardedFormat = format
            do throws(APIError) {
                if let redacted = try await checkInput(current, call: &call) { body = redacted }
            } catch {
                return await fail(&call, error)
            }
        }

        if case .client = origin {
            if let answer = await cachedAnswer(request, body: body, endpoint: endpoint, call: &call) { return answer }
            if let parsed { submitShadow(request, body: body, parsed: parsed, endpoint: endpoint, call: call) }
        }

        let upstream: HTTPClientResponse
        let hideUsageChunk: Bool
        switch await forward(request, body: body, parsed: parsed, endpoint: endpoint, call: &call) {
        case .answer(let response, let hide): (upstream, hideUsageChunk) = (response, hide)
        case .failure(let error): return await fail(&call, error)
        }

        call.trace.statusCode = Int(upstream.status.code)
        let isEventStream = upstream.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true
        if isEventStream && (200..<300).contains(call.trace.statusCode) {
            call.trace.stream = true
            let assembler = endpoint.makeAssembler(hideUsageChunk: hideUsageChunk)
            if let route = call.route, route.provider.kind == .anthropic {
                let chunks = AnthropicChunkStream(upstream: upstream.body, model: call.sentModel(on: route) ?? "")
                return streamResponse(call, upstream: upstream, body: chunks, assembler: assembler, hideUsageChunk: hideUsageChunk)
            }
            return streamResponse(call, upstream: upstream, body: upstream.body, assembler: assembler, hideUsageChunk: hideUsageChunk)
        }
        return await bufferedResponse(&call, upstream: upstream)
    }

    /// Reads a whole non-streamed response, records it, and answers with the upstream's status, headers and bytes.
    func bufferedResponse(_ call: inout ProxyCall, upstream: HTTPClientResponse) async -> Response {
        var body: ByteBuffer
        do {
            body = try await upstream.body.collect(upTo: Self.maxResponseBytes)
            call.upstreamFinished()  // metrics
        } catch {
            let detail = error is NIOTooManyBytesError ? "the response is larger than \(Self.maxResponseBytes) bytes" : "the response broke off: \(error)"
            return await fail(&call, .upstreamBadResponse(provider: call.route?.providerName ?? "", detail: detail))
        }
        if let route = call.route, route.provider.kind == .anthropic {
            body = Self.openAIBody(fromAnthropic: body, status: call.trace.statusCode, model: call.sentModel(on: route) ?? "")
        }
        let summary = ResponseSummary(body: body.readableBytesView)
        call.read(summary)
        if (200..<300).contains(call.trace.statusCode) {
            do throws(APIError) {
                body = try await checkOutput(body, call: &call)
            } catch {
                // The provider answered and is paid for: the trace keeps the usage and cost.
                return await fail(&call, error, keepResponse: true, pricedAs: call.pricingNames)
            }
        }
        call.settle(answer: body.readableBytesView, summary: summary, recorder: recorder)
        let recorded = await recorder.record(call.trace, pricedAs: call.pricingNames, upstreamMs: call.upstreamMs)
        var headers = UpstreamHeaders.forAnswer(upstream.headers, trace: recorded)
        if call.cacheKey != nil {
            headers[Self.cacheHeader] = "MISS"
            remember(body, stream: false, contentType: upstream.headers.first(name: "content-type"), trace: recorded, call: call)
        }
        return Response(status: HTTPResponse.Status(code: call.trace.statusCode), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// Records a call that Loupe answers with an error itself, and returns that answer.
    /// `keepResponse` keeps a stored answer that a guardrail rejected; `pricedAs` prices a call the provider answered.
    func fail(_ call: inout ProxyCall, _ error: APIError, keepResponse: Bool = false, pricedAs names: [String?] = []) async -> Response {
        call.settle(failure: error, keepResponse: keepResponse)
        await recorder.record(call.trace, pricedAs: names, upstreamMs: call.upstreamMs, errorCode: error.code)
        return error.response(headers: [RequestAnnotations.traceIDHeader: call.trace.id])
    }

    static func apiError(for problem: ProxyRequestBody.Problem) -> APIError {
        switch problem {
        case .malformedJSON(let detail): .malformedJSON(detail)
        case .notAnObject: .malformedJSON("the body must be a JSON object")
        case .invalidField(let name, let expected):
            APIError(status: .badRequest, message: "'\(name)' must be \(expected).", code: "invalid_type", param: name)
        }
    }

    static func apiError(forUpstream error: any Error, route: ModelRouter.Route) -> APIError {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return .upstreamTimeout(provider: route.providerName, timeoutMs: route.timeoutMs)
        }
        return .upstreamUnreachable(provider: route.providerName, detail: "\(error)")
    }

    /// The provider URL for a `/v1/...` request: the part after `/v1` appended to the base URL.
    static func upstreamURL(_ baseURL: String, _ uri: URI) -> String {
        var path = uri.path
        if path.hasPrefix("/v1") { path.removeFirst(3) }
        if let query = uri.query, !query.isEmpty { path += "?" + query }
        return baseURL + path
    }
}
