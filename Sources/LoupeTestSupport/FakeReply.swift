import HTTPTypes
import HummingbirdCore
import NIOCore

/// Builders for the fake's responses: JSON bodies, OpenAI-shaped errors and event streams.
enum FakeReply {
    /// A JSON response.
    static func json(_ value: FakeJSON, status: HTTPResponse.Status = .ok) -> Response {
        json(ByteBuffer(string: value.text), status: status)
    }

    /// A JSON response from bytes prepared earlier.
    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }

    /// An error in OpenAI's shape: `{"error":{"message","type","param","code"}}`.
    static func error(_ status: Int, _ message: String, type: String, code: String? = nil, param: String? = nil) -> Response {
        let error: FakeJSON = [
            "message": .string(message),
            "type": .string(type),
            "param": param.map(FakeJSON.string) ?? .null,
            "code": code.map(FakeJSON.string) ?? .null,
        ]
        return json(["error": error], status: HTTPResponse.Status(code: status))
    }

    /// The error OpenAI would send with `status`, for `x-fake-status`.
    static func error(status: Int) -> Response {
        switch status {
        case 400: error(status, "The fake upstream was told to reject this request.", type: "invalid_request_error")
        case 401: error(status, "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key")
        case 403: error(status, "The fake upstream was told to forbid this request.", type: "invalid_request_error", code: "permission_denied")
        case 404: error(status, "The model does not exist or you do not have access to it.", type: "invalid_request_error", code: "model_not_found")
        case 429: error(status, "Rate limit reached for requests (the fake upstream was told to answer 429).", type: "requests", code: "rate_limit_exceeded")
        case 500..<600: error(status, "The server had an error while processing your request (the fake upstream was told to answer \(status)).", type: "server_error")
        default: error(status, "The fake upstream was told to answer \(status).", type: "invalid_request_error")
        }
    }

    /// Server-sent events, each sent as its own write.
    ///
    /// Waits `delayMilliseconds` between events. With `cutAfter`, sends that many events and then
    /// fails the body, so the connection closes before the chunked body ends.
    static func eventStream(
        _ events: [String], delayMilliseconds: Int, cutAfter: Int?, onEnd: @escaping @Sendable (_ completed: Bool) -> Void = { _ in }
    ) -> Response {
        let body = ResponseBody { writer in
            do {
                for (index, event) in events.enumerated() {
                    if let cutAfter, index >= cutAfter {
                        throw FakeUpstreamError(description: "The fake upstream cut the stream after \(cutAfter) events, as x-fake-cut-after asked.")
                    }
                    if delayMilliseconds > 0, index > 0 {
                        try await Task.sleep(for: .milliseconds(delayMilliseconds))
                    }
                    try await writer.write(ByteBuffer(string: event))
                }
                try await writer.finish(nil)
            } catch {
                onEnd(false)
                throw error
            }
            onEnd(true)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"], body: body)
    }
}
