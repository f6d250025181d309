import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import NIOHTTP1

/// Which headers cross the proxy, in each direction.
enum UpstreamHeaders {
    /// Never sent upstream: the client's credentials, hop-by-hop headers, Loupe's own annotations,
    /// and `accept-encoding`, because the proxy must read the response to record it.
    static let droppedFromRequest: Set<String> = [
        "authorization", "api-key", "x-api-key", "proxy-authorization", "cookie", "host", "content-length",
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "accept-encoding", "openai-organization", "openai-project", "expect",
    ]

    /// Never copied back to the client: hop-by-hop headers and the framing the proxy sets itself.
    static let droppedFromResponse: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length",
    ]

    /// The headers to send upstream, with the provider's key in place of the client's.
    static func forRequest(_ headers: HTTPFields, apiKey: String?) -> HTTPHeaders {
        var result = HTTPHeaders()
        for field in headers {
            let name = field.name.canonicalName
            if droppedFromRequest.contains(name) || name.hasPrefix("x-loupe-") { continue }
            result.add(name: name, value: field.value)
        }
        if let apiKey { result.add(name: "authorization", value: "Bearer \(apiKey)") }
        return result
    }

    /// The upstream's response headers as the client should see them.
    static func forResponse(_ headers: HTTPHeaders, traceID: String) -> HTTPFields {
        var result = HTTPFields()
        result.reserveCapacity(headers.count + 1)
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name), !droppedFromResponse.contains(fieldName.canonicalName) else { continue }
            result.append(HTTPField(name: fieldName, value: value))
        }
        result[RequestAnnotations.traceIDHeader] = traceID
        return result
    }

    /// The headers of a whole (non-streamed) answer: the upstream's, the trace id, and the call's exact price,
    /// as LiteLLM's `x-litellm-response-cost` gives it; evals and apps read it there.
    static func forAnswer(_ headers: HTTPHeaders, trace: Trace) -> HTTPFields {
        var result = forResponse(headers, traceID: trace.id)
        if let cost = trace.cost { result[RequestAnnotations.costHeader] = cost.description }
        return result
    }
}
