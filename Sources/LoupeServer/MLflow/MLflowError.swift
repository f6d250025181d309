import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore

/// An error in MLflow's shape, `{"error_code": "…", "message": "…"}`, which the `mlflow` client reads.
///
/// A user mistake is never a 5xx: the client retries those seven times.
struct MLflowError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var code: String
    var message: String

    static func invalidParameter(_ message: String) -> MLflowError {
        MLflowError(status: .badRequest, code: "INVALID_PARAMETER_VALUE", message: message)
    }

    static func notFound(_ message: String) -> MLflowError {
        MLflowError(status: .notFound, code: "RESOURCE_DOES_NOT_EXIST", message: message)
    }

    var response: Response {
        let body = JSONValue.object(["error_code": .string(code), "message": .string(message)]).jsonText
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

extension MLflowError {
    /// The MLflow error for a store's `TrackingError`, or nil for any other error.
    init?(_ error: any Error) {
        switch error {
        case let error as MLflowError: self = error
        case TrackingError.notFound(let message): self = .notFound(message)
        case TrackingError.alreadyExists(let message): self = MLflowError(status: .badRequest, code: "RESOURCE_ALREADY_EXISTS", message: message)
        case TrackingError.invalidParameter(let message): self = .invalidParameter(message)
        default: return nil
        }
    }
}
