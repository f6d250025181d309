import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore

/// Guards Loupe's own APIs once auth is on: `/api/keys` takes the master key only; any other `/api` route
/// the master key, or for reading (GET) a key with the `read` scope. MLflow's routes answer in MLflow's
/// error shape, the others in OpenAI's. `/v1` checks its keys in the proxy; health and metrics stay open.
struct APIAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let gateway: Gateway

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path == "/api" else { return try await next(request, context) }
        let isMLflow = path.hasPrefix("/api/2.0/mlflow") || path.hasPrefix("/api/3.0/mlflow")
        guard let token = Gateway.bearer(request.headers) else {
            return refusal(.unauthorized, "This Loupe requires a key: send `Authorization: Bearer <master key>`, or a key with the read scope for queries.", mlflow: isMLflow)
        }
        if gateway.isMasterKey(token) { return try await next(request, context) }
        let adminOnly = path.hasPrefix("/api/keys")
        let key: VirtualKey?
        do {
            key = try await gateway.keys.key(secret: token)
        } catch {
            return refusal(.serviceUnavailable, "Keys cannot be checked right now: the store is unavailable.", mlflow: isMLflow)
        }
        guard let key, key.refusal(at: Date()) == nil else {
            return refusal(.unauthorized, key?.refusal(at: Date()) ?? "Incorrect key provided: \(Gateway.redacted(token)).", mlflow: isMLflow)
        }
        guard !adminOnly, request.method == .get || request.method == .head, key.scopes.contains(.read) else {
            let what = adminOnly ? "Managing keys takes the master key." : request.method == .get ? "This key lacks the read scope." : "Changes through /api take the master key."
            return refusal(.forbidden, "The key '\(key.name)' may not \(request.method.rawValue) \(path). \(what)", mlflow: isMLflow)
        }
        return try await next(request, context)
    }

    private func refusal(_ status: HTTPResponse.Status, _ message: String, mlflow: Bool) -> Response {
        if mlflow {
            let code = status == .unauthorized ? "UNAUTHENTICATED" : status == .forbidden ? "PERMISSION_DENIED" : "TEMPORARILY_UNAVAILABLE"
            return MLflowError(status: status, code: code, message: message).response
        }
        let code = status == .unauthorized ? "invalid_api_key" : status == .forbidden ? "permission_denied" : "store_unavailable"
        return APIError(status: status, message: message, code: code).response()
    }
}
