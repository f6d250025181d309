import HTTPTypes
import Hummingbird
import LoupeCore
import LoupeProxy
import NIOCore

/// The response cache on the request path: which calls it applies to, answering from it, and filling it.
extension ProxyController {
    static var cacheHeader: HTTPField.Name { HTTPField.Name("x-loupe-cache")! }
    static var cacheTTLHeader: HTTPField.Name { HTTPField.Name("x-loupe-cache-ttl")! }

    /// How long this call's answer is cached, or nil for not at all: `X-Loupe-Cache: true|false` decides, else
    /// the model's `cache` setting; `X-Loupe-Cache-TTL` gives the seconds.
    func cacheTTL(_ headers: HTTPFields, plan: ModelRouter.Plan?) throws(APIError) -> Int? {
        var ttl: Int?
        if let text = headers[Self.cacheTTLHeader] {
            guard let seconds = Int(text), seconds > 0 else {
                throw APIError(status: .badRequest, message: "X-Loupe-Cache-TTL must be a whole number of seconds above 0, not '\(text)'.", code: "invalid_header")
            }
            ttl = seconds
        }
        switch headers[Self.cacheHeader]?.lowercased() {
        case nil: return plan?.cacheTTLSeconds.map { ttl ?? $0 }
        case "true": return ttl ?? plan?.cacheTTLSeconds ?? cacheDefaultTTL
        case "false": return nil
        case let other?:
            throw APIError(status: .badRequest, message: "X-Loupe-Cache must be true or false, not '\(other)'.", code: "invalid_header")
        }
    }

    /// The cached answer to a call, when the call is cached and a live answer is there (or a 400 for a bad cache
    /// header); otherwise nil, with the call noting where its own answer is to be kept.
    func cachedAnswer(_ request: Request, body: [UInt8], endpoint: ProxyEndpoint, call: inout ProxyCall) async -> Response? {
        guard endpoint.requiresModel, let responseCache else { return nil }
        do throws(APIError) {
            call.cacheTTL = try cacheTTL(request.headers, plan: call.plan)
        } catch {
            return await fail(&call, error)
        }
        guard call.cacheTTL != nil, let key = ResponseCache.key(endpoint: request.uri.path, model: call.trace.model, keyID: call.key?.id, body: body) else {
            return nil
        }
        if let entry = responseCache.lookup(key) { return await replay(entry, call: &call) }
        call.cacheKey = key
        return nil
    }

    /// Answers a call from a cached answer: no provider call, a trace with `cache_hit` and the cost it saved.
    func replay(_ entry: ResponseCache.Entry, call: inout ProxyCall) async -> Response {
        call.trace.cacheHit = true
        call.trace.status = .ok
        call.trace.statusCode = 200
        call.trace.stream = entry.stream
        call.trace.provider = entry.provider
        call.trace.upstreamModel = entry.upstreamModel
        call.trace.cost = .zero
        call.trace.costSaved = entry.cost
        if let text = entry.recordedResponse {
            (call.trace.response, call.trace.responseTruncated) = recorder.storedBody(Array(text.utf8))
        }
        call.trace.latencyMs = call.elapsedMs
        if entry.stream { call.trace.ttftMs = call.trace.latencyMs }
        await recorder.record(call.trace, pricedAs: [])
        var headers: HTTPFields = [
            .contentType: entry.contentType, RequestAnnotations.traceIDHeader: call.trace.id, Self.cacheHeader: "HIT",
            RequestAnnotations.costHeader: "0",
        ]
        if entry.stream { headers[.cacheControl] = "no-cache" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: entry.body))
    }

    /// Keeps a successful answer for `call.cacheTTL` seconds.
    func remember(_ body: ByteBuffer, stream: Bool, contentType: String?, trace: Trace, call: ProxyCall) {
        guard let cache = responseCache, let key = call.cacheKey, let ttl = call.cacheTTL, trace.status == .ok else { return }
        cache.store(
            ResponseCache.Entry(
                body: body, stream: stream, contentType: contentType ?? (stream ? "text/event-stream" : "application/json"),
                provider: trace.provider, upstreamModel: trace.upstreamModel, usage: trace.usage, cost: trace.cost,
                recordedResponse: trace.response, expires: .now + .seconds(ttl)
            ),
            for: key
        )
    }
}
