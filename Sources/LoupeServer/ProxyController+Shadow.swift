import HTTPTypes
import Hummingbird
import LoupeConfig
import LoupeCore
import LoupeProxy
import NIOCore

extension ProxyController {
    /// A copy of the call for `shadow`'s model, or nil when this call is not among the `percent` copied.
    func shadowJob(
        _ shadow: LoupeConfiguration.Shadow, request: Request, body: [UInt8], parsed: ProxyRequestBody, endpoint: ProxyEndpoint, call: ProxyCall
    ) -> ShadowJob? {
        guard shadow.percent >= 100 || Double.random(in: 0..<100) < shadow.percent else { return nil }
        var headers = HTTPFields()
        for field in request.headers where RequestAnnotations.travelsWithCopies(field.name) || field.name == .contentType {
            headers.append(field)
        }
        return ShadowJob(
            parentTraceID: call.trace.id, model: shadow.model, path: request.uri.path, endpoint: endpoint, headers: headers,
            body: parsed.replacingModel(with: shadow.model, in: body),
            promptName: call.trace.promptName, promptVersion: call.trace.promptVersion
        )
    }

    /// Sends a shadow copy through the proxy and reads its answer to the end, so it is recorded like any call.
    func sendShadow(_ job: ShadowJob) async {
        let head = HTTPRequest(method: .post, scheme: "http", authority: "loupe", path: job.path, headerFields: job.headers)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: job.body)))
        let response = await proxy(request, endpoint: job.endpoint, origin: .shadow(job))
        try? await response.body.write(DiscardingBodyWriter())
    }
}

/// Reads a response body and keeps nothing, for answers nobody waits for.
struct DiscardingBodyWriter: ResponseBodyWriter {
    mutating func write(_ buffer: ByteBuffer) async throws {}
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
