import HTTPTypes
import HummingbirdCore
import NIOCore

/// Builders for the fake's answers: JSON bodies, OpenAI-shaped errors and event streams.
enum FakeReply {
    /// A JSON answer.
    static func json(_ value: FakeJSON, status: HTTPResponse.Status = .ok) -> FakeAnswer {
        json(ByteBuffer(bytes: value.bytes), status: status)
    }

    /// A JSON answer from bytes prepared earlier.
    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> FakeAnswer {
        FakeAnswer(status: status, headers: [.contentType: "application/json"], body: .bytes(body))
    }

    /// An error in OpenAI's shape: `{"error":{"message","type","param","code"}}`.
    static func error(_ status: Int, _ message: String, type: String, code: String? = nil, param: String? = nil) -> FakeAnswer {
        let error: FakeJSON = [
            "message": .string(message),
            "type": .string(type),
            "param": param.map(FakeJSON.string) ?? .null,
            "code": code.map(FakeJSON.string) ?? .null,
        ]
        return json(["error": error], status: HTTPResponse.Status(code: status))
    }

    /// The error OpenAI would send with `status`, for `x-fake-status`.
    static func error(status: Int) -> FakeAnswer {
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

    /// Server-sent events, each sent as its own write, `delayMilliseconds` apart; with `cutAfter`, that many and
    /// then a broken body.
    static func eventStream(
        _ events: [String], delayMilliseconds: Int, cutAfter: Int?, onEnd: @escaping @Sendable (_ completed: Bool) -> Void = { _ in }
    ) -> FakeAnswer {
        FakeAnswer(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: .events(events, delayMilliseconds: delayMilliseconds, cutAfter: cutAfter, onEnd: onEnd)
        )
    }
}
