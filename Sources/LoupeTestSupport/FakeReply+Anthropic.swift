import HTTPTypes

extension FakeReply {
    /// An error in Anthropic's shape: `{"type":"error","error":{"type","message"},"request_id"}`.
    static func anthropicError(_ status: Int, _ message: String, type: String) -> FakeAnswer {
        let body: FakeJSON = [
            "type": "error",
            "error": ["type": .string(type), "message": .string(message)],
            "request_id": .string(FakeCall.identifier("req_011", length: 21)),
        ]
        return json(body, status: HTTPResponse.Status(code: status))
    }

    /// The error Anthropic would send with `status`, for `x-fake-status` on `/v1/messages`.
    static func anthropicError(status: Int) -> FakeAnswer {
        switch status {
        case 401: anthropicError(status, "invalid x-api-key", type: "authentication_error")
        case 403: anthropicError(status, "The fake upstream was told to forbid this request.", type: "permission_error")
        case 404: anthropicError(status, "model: the fake upstream was told to answer 404.", type: "not_found_error")
        case 413: anthropicError(status, "Request exceeds the maximum allowed number of bytes (the fake upstream was told to answer 413).", type: "request_too_large")
        case 429: anthropicError(status, "Number of requests has exceeded your rate limit (the fake upstream was told to answer 429).", type: "rate_limit_error")
        case 529: anthropicError(status, "Overloaded", type: "overloaded_error")
        case 500..<600: anthropicError(status, "Internal server error (the fake upstream was told to answer \(status)).", type: "api_error")
        default: anthropicError(status, "The fake upstream was told to reject this request with \(status).", type: "invalid_request_error")
        }
    }
}
