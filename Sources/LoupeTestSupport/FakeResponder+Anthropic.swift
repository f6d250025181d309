import HTTPTypes
import HummingbirdCore
import NIOCore

extension FakeResponder {
    /// `POST /v1/messages`, Anthropic's Messages API: checks what Anthropic checks and answers every error in Anthropic's shape.
    func anthropicMessages(_ body: ByteBuffer, _ headers: HTTPFields) async -> FakeAnswer {
        guard let key = headers[.anthropicAPIKey] else {
            return FakeReply.anthropicError(401, "x-api-key header is required", type: "authentication_error")
        }
        if let requiredAPIKey, key != requiredAPIKey {
            return FakeReply.anthropicError(401, "invalid x-api-key", type: "authentication_error")
        }
        guard headers[.anthropicVersion] != nil else {
            return FakeReply.anthropicError(400, "anthropic-version: header is required", type: "invalid_request_error")
        }
        await pause(for: headers)
        if let value = headers[.fakeStatus] {
            guard let status = Int(value), (400..<600).contains(status) else {
                return FakeReply.anthropicError(400, "x-fake-status must be an error status from 400 to 599, not \(value).", type: "invalid_request_error")
            }
            var response = FakeReply.anthropicError(status: status)
            if let retryAfter = headers[.fakeRetryAfter] { response.headers[.retryAfter] = retryAfter }
            return response
        }
        guard let json = FakeJSON.parse(body), case .object = json else {
            return FakeReply.anthropicError(400, "The request body is not valid JSON: send a JSON object.", type: "invalid_request_error")
        }
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            return FakeReply.anthropicError(400, "model: Field required", type: "invalid_request_error")
        }
        guard let maxTokens = json["max_tokens"]?.intValue, maxTokens > 0 else {
            return FakeReply.anthropicError(400, "max_tokens: Field required (a whole number of tokens above 0)", type: "invalid_request_error")
        }
        guard case .array(let messages)? = json["messages"], !messages.isEmpty else {
            return FakeReply.anthropicError(400, "messages: Field required (at least one message)", type: "invalid_request_error")
        }
        return FakeCall(request: json, model: model, headers: headers, scriptedReplies: scriptedReplies, recorder: recorder).anthropicMessage()
    }
}
