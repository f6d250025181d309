import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore

/// An error answered in OpenAI's shape, `{"error":{"message","type","code","param"}}`, which the
/// OpenAI SDKs parse; Loupe's own `/api` routes use the same shape.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var type: String
    public var code: String?
    public var param: String?
    /// More members of the `error` object, such as which guardrail fired.
    public var details: [String: JSONValue]
    /// Seconds for a `Retry-After` header, on a rate limit.
    public var retryAfterSeconds: Int?

    public init(
        status: HTTPResponse.Status, message: String, type: String = "invalid_request_error", code: String? = nil, param: String? = nil,
        details: [String: JSONValue] = [:], retryAfterSeconds: Int? = nil
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The JSON body.
    public var body: String { JSONValue.object(["error": errorObject]).jsonText }

    /// The `error` member alone, as a stream's error event carries it.
    public var errorObject: JSONValue {
        var members: [String: JSONValue] = [
            "message": .string(message),
            "type": .string(type),
            "code": code.map(JSONValue.string) ?? .null,
            "param": param.map(JSONValue.string) ?? .null,
        ]
        members.merge(details) { own, _ in own }
        return .object(members)
    }

    /// The response, with `extraHeaders` such as the trace id.
    public func response(headers extraHeaders: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers(extraHeaders), body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// The answer's headers: `extraHeaders`, the JSON content type and any `Retry-After`.
    func headers(_ extraHeaders: HTTPFields) -> HTTPFields {
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return headers
    }

    static func malformedJSON(_ detail: String) -> APIError {
        APIError(status: .badRequest, message: "The request body is not valid JSON: \(detail)", code: "invalid_json")
    }

    static func missingModel() -> APIError {
        APIError(status: .badRequest, message: "The request has no 'model'. Add the model name, such as \"model\": \"gpt-4o-mini\".", code: "missing_model", param: "model")
    }

    static func unknownModel(_ model: String, known: [String]) -> APIError {
        let hint = known.isEmpty ? "No models are configured." : "Configured models: \(known.joined(separator: ", "))."
        return APIError(
            status: .notFound,
            message: "The model '\(model)' does not exist in this Loupe: it is not under 'models' in the config and no default_provider is set. \(hint)",
            code: "model_not_found", param: "model"
        )
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge,
            message: "The request body is larger than this server accepts (\(limit) bytes). Send a smaller request or raise server.max_body_bytes.",
            code: "request_too_large"
        )
    }

    static func upstreamUnreachable(provider: String, detail: String) -> APIError {
        APIError(
            status: .badGateway,
            message: "Loupe could not reach provider '\(provider)': \(detail). Check the provider's base_url and that it is up.",
            type: "upstream_error", code: "upstream_unreachable"
        )
    }

    static func upstreamBadResponse(provider: String, detail: String) -> APIError {
        APIError(
            status: .badGateway, message: "Provider '\(provider)' sent an unusable response: \(detail).",
            type: "upstream_error", code: "upstream_bad_response"
        )
    }

    static func upstreamTimeout(provider: String, timeoutMs: Int) -> APIError {
        APIError(
            status: .gatewayTimeout,
            message: "Provider '\(provider)' did not answer within \(timeoutMs) ms. Retry, or raise the provider's timeout_ms.",
            type: "upstream_error", code: "upstream_timeout"
        )
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }
}
