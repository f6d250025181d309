import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeConfig
import LoupeCore
import NIOCore
import NIOHTTP1

extension ProxyController {
    /// `GET /v1/models`: the configured model names, then the default provider's own list.
    func listModels(_ request: Request) async -> Response {
        var call = ProxyCall(trace: Trace(endpoint: request.uri.path))
        if let gateway {
            do throws(APIError) {
                call.key = try await gateway.authenticate(request.headers)
            } catch {
                return await fail(&call, error)
            }
        }
        var data: [JSONValue] = modelRouter.configuredModels.map { name in
            .object([
                "id": .string(name),
                "object": .string("model"),
                "created": .number(0),
                "owned_by": .string(modelRouter.configuration.models[name]?.provider ?? "loupe"),
            ])
        }
        // Anthropic's model list has another shape and auth; its models are reachable when configured by name.
        if let route = modelRouter.defaultRoute, route.provider.kind == .openai {
            call.route = route
            call.trace.provider = route.providerName
            var upstreamRequest = HTTPClientRequest(url: route.provider.baseURL + "/models")
            upstreamRequest.headers = UpstreamHeaders.forRequest([:], apiKey: route.provider.apiKey)
            upstreamRequest.tlsConfiguration = ProviderTLS.configuration(for: route.provider)
            do {
                let response = try await client.execute(upstreamRequest, timeout: .milliseconds(Int64(min(route.provider.timeoutMs, 30_000))))
                guard (200..<300).contains(response.status.code) else {
                    // The provider's own answer (say, 401 for a bad key) is the most useful thing to pass on.
                    call.trace.statusCode = Int(response.status.code)
                    return await bufferedResponse(&call, upstream: response)
                }
                let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
                let listed = (try? JSONValue.parse(bytes: body.readableBytesView))?["data"]
                if case .array(let upstreamModels)? = listed {
                    let configured = Set(modelRouter.configuredModels)
                    data += upstreamModels.filter { model in
                        guard let id = model["id"]?.stringValue else { return false }
                        return !configured.contains(id)
                    }
                }
            } catch {
                return await fail(&call, Self.apiError(forUpstream: error, route: route))
            }
        }
        let body = JSONValue.object(["object": .string("list"), "data": .array(data)]).jsonText
        call.trace.latencyMs = call.elapsedMs
        (call.trace.response, call.trace.responseTruncated) = recorder.storedBody(Array(body.utf8))
        await recorder.record(call.trace, pricedAs: [])
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", RequestAnnotations.traceIDHeader: call.trace.id],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
