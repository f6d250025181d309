import AsyncHTTPClient
import Hummingbird
import LoupeConfig
import LoupeCore
import LoupeProxy
import NIOCore
import NIOHTTP1

extension ProxyController {
    /// What sending a call to its deployments gave: the answer to relay, or the error to answer with.
    enum Forwarded {
        case answer(HTTPClientResponse, hideUsageChunk: Bool)
        case failure(APIError)
    }

    /// Sends the call to the plan's deployments in turn. A deployment that fails (429, 5xx, timeout, no connection)
    /// is tried again after a backoff that honours `Retry-After`, then the next one is; each failed try is kept in
    /// `call.trace.attempts`. The last deployment's failure goes to the client as the provider gave it.
    func forward(_ request: Request, body: [UInt8], parsed: ProxyRequestBody?, endpoint: ProxyEndpoint, call: inout ProxyCall) async -> Forwarded {
        let routes = call.plan?.routes ?? call.route.map { [$0] } ?? []
        let retries = call.plan?.retries ?? 0
        for (index, route) in routes.enumerated() {
            let isLastRoute = index == routes.count - 1
            var retry = 0
            while true {
                call.route = route
                call.trace.provider = route.providerName
                let upstreamRequest: HTTPClientRequest
                let hideUsageChunk: Bool
                do throws(APIError) {
                    (upstreamRequest, hideUsageChunk) = try self.upstreamRequest(for: route, request, body: body, parsed: parsed, endpoint: endpoint, call: call)
                } catch {
                    return .failure(error)
                }
                let started = ContinuousClock.now
                call.upstreamStarted = started  // metrics: the last try sent is the one that answered
                let outcome: Result<HTTPClientResponse, any Error>
                do {
                    outcome = .success(try await client.execute(upstreamRequest, timeout: .milliseconds(Int64(route.timeoutMs))))
                } catch {
                    outcome = .failure(error)
                }
                var wait = retryPolicy.delay(retry: retry, headers: nil)
                if case .success(let response) = outcome {
                    guard RetryPolicy.isRetryable(status: response.status.code) else { return .answer(response, hideUsageChunk: hideUsageChunk) }
                    wait = retryPolicy.delay(retry: retry, headers: response.headers)
                }
                let retryHere = retry < retries && wait <= retryPolicy.maxWait
                guard retryHere || !isLastRoute else {
                    switch outcome {
                    case .success(let response): return .answer(response, hideUsageChunk: hideUsageChunk)
                    case .failure(let error): return .failure(Self.apiError(forUpstream: error, route: route))
                    }
                }
                call.trace.attempts.append(await Self.attempt(outcome, route: route, since: started))
                guard retryHere else { break }
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    return .failure(APIError(status: .init(code: 499), message: "The client went away while the call waited to be retried.", code: "client_closed"))
                }
                retry += 1
            }
        }
        return .failure(APIError(status: .notFound, message: "No deployment is configured for this call.", code: "no_provider"))
    }

    /// The provider request for one deployment: the model renamed as the deployment names it, usage asked for
    /// on streams (hidden again from a client that did not ask), and the provider's key instead of the client's.
    func upstreamRequest(
        for route: ModelRouter.Route, _ request: Request, body: [UInt8], parsed: ProxyRequestBody?, endpoint: ProxyEndpoint, call: ProxyCall
    ) throws(APIError) -> (HTTPClientRequest, hideUsageChunk: Bool) {
        let hideUsageChunk = Self.hidesUsageChunk(parsed, endpoint: endpoint)
        var upstreamRequest: HTTPClientRequest
        if route.provider.kind == .anthropic {
            upstreamRequest = try anthropicRequest(
                for: route, request, body: body, parsed: parsed, endpoint: endpoint, upstreamModel: call.sentModel(on: route) ?? ""
            )
        } else {
            let upstreamBody = Self.openAIBody(body, parsed: parsed, model: call.sentModel(on: route), requestingUsage: hideUsageChunk)
            upstreamRequest = HTTPClientRequest(url: Self.upstreamURL(route.provider.baseURL, request.uri))
            upstreamRequest.method = HTTPMethod(rawValue: request.method.rawValue)
            upstreamRequest.headers = UpstreamHeaders.forRequest(request.headers, apiKey: route.provider.apiKey)
            if !upstreamBody.isEmpty || request.method != .get {
                upstreamRequest.body = .bytes(ByteBuffer(bytes: upstreamBody))
            }
        }
        upstreamRequest.tlsConfiguration = ProviderTLS.configuration(for: route.provider)
        return (upstreamRequest, hideUsageChunk)
    }

    /// True when the proxy asks a stream for usage the client did not ask for, and so hides the usage-only chunk.
    static func hidesUsageChunk(_ parsed: ProxyRequestBody?, endpoint: ProxyEndpoint) -> Bool {
        parsed.map { $0.stream && endpoint.supportsStreamUsage && !$0.clientIncludesUsage } ?? false
    }

    /// The body an OpenAI-style provider gets: the model renamed as the deployment names it, and usage asked for.
    static func openAIBody(_ body: [UInt8], parsed: ProxyRequestBody?, model: String?, requestingUsage: Bool) -> [UInt8] {
        guard let parsed else { return body }
        var upstreamBody = body
        if let model, model != parsed.model { upstreamBody = parsed.replacingModel(with: model, in: upstreamBody) }
        if requestingUsage { upstreamBody = parsed.requestingUsage(in: upstreamBody) }
        return upstreamBody
    }

    /// A failed try as the trace keeps it; a failed answer's body is read (a little of it) for its message.
    static func attempt(_ outcome: Result<HTTPClientResponse, any Error>, route: ModelRouter.Route, since started: ContinuousClock.Instant) async -> TraceAttempt {
        let status: Int?
        let message: String
        switch outcome {
        case .success(let response):
            status = Int(response.status.code)
            let body = try? await response.body.collect(upTo: 64 * 1024)
            message = body.flatMap { ResponseSummary(body: $0.readableBytesView).errorMessage } ?? "provider answered HTTP \(response.status.code)"
        case .failure(let error):
            status = nil
            message = apiError(forUpstream: error, route: route).message
        }
        return TraceAttempt(
            provider: route.providerName, model: route.upstreamModel, statusCode: status, error: message,
            latencyMs: ProxyCall.milliseconds(ContinuousClock.now - started)
        )
    }
}
