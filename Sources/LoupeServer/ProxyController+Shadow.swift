import HTTPTypes
import Hummingbird
import LoupeConfig
import LoupeCore
import LoupeProxy
import NIOCore

extension ProxyController {
    /// Queues a copy of the call for the model's shadow, when it has one and this call is among the `percent` copied.
    func submitShadow(_ request: Request, body: [UInt8], parsed: ProxyRequestBody, endpoint: ProxyEndpoint, call: ProxyCall) {
        guard let shadow = call.plan?.shadow, let shadows, shadow.percent >= 100 || Double.random(in: 0..<100) < shadow.percent else { return }
        var headers = HTTPFields()
        for field in request.headers where RequestAnnotations.travelsWithCopies(field.name) || field.name == .contentType {
            headers.append(field)
        }
        shadows.submit(ShadowJob(
            parentTraceID: call.trace.id, path: request.uri.path, endpoint: endpoint, headers: headers,
            body: parsed.replacingModel(with: shadow.model, in: body),
            promptName: call.trace.promptName, promptVersion: call.trace.promptVersion
        ))
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
