import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import LoupeCore
import NIOCore

/// MLflow's tracking REST API under `/api/2.0/mlflow`, so the stock `mlflow` client works against Loupe.
struct MLflowController<Context: RequestContext>: Sendable {
    let store: any TrackingStore
    let registry: any ModelRegistryStore
    let loggedModels: any LoggedModelStore
    let logger: Logger

    /// MLflow's limits on one log-batch call.
    static var maxBatchMetrics: Int { 1000 }
    static var maxBatchParams: Int { 100 }
    static var maxBatchTags: Int { 100 }

    func addRoutes(to router: Router<Context>) {
        let api = router.group("api/2.0/mlflow")
        // Experiments.
        route(api, "experiments/create", .post) { try await createExperiment($0) }
        route(api, "experiments/get", .get) { try await getExperiment($0) }
        route(api, "experiments/get-by-name", .get) { try await getExperimentByName($0) }
        route(api, "experiments/search", .get, .post) { try await searchExperiments($0) }
        route(api, "experiments/update", .post) { try await updateExperiment($0) }
        route(api, "experiments/delete", .post) { try await setExperimentStage($0, .deleted) }
        route(api, "experiments/restore", .post) { try await setExperimentStage($0, .active) }
        route(api, "experiments/set-experiment-tag", .post) { try await setExperimentTag($0, delete: false) }
        route(api, "experiments/delete-experiment-tag", .post) { try await setExperimentTag($0, delete: true) }
        // Runs.
        route(api, "runs/create", .post) { try await createRun($0) }
        route(api, "runs/get", .get) { try await getRun($0) }
        route(api, "runs/update", .post) { try await updateRun($0) }
        route(api, "runs/delete", .post) { try await setRunStage($0, .deleted) }
        route(api, "runs/restore", .post) { try await setRunStage($0, .active) }
        route(api, "runs/log-metric", .post) { try await logMetric($0) }
        route(api, "runs/log-parameter", .post) { try await logParameter($0) }
        route(api, "runs/log-batch", .post) { try await logBatch($0) }
        route(api, "runs/set-tag", .post) { try await setTag($0) }
        route(api, "runs/delete-tag", .post) { try await deleteTag($0) }
        route(api, "runs/search", .get, .post) { try await searchRuns($0) }
        route(api, "runs/log-inputs", .post) { try await logInputs($0) }
        route(api, "metrics/get-history", .get) { try await metricHistory($0) }
        addRegistryRoutes(to: api)
        addLoggedModelRoutes(to: api)
    }

    /// The request's `filter`, parsed; a bad one is a 400 that says why.
    static func filter(_ request: MLflowRequest, for entity: SearchFilter.Entity) throws -> SearchFilter {
        do {
            return try SearchFilter.parse(try request.string("filter"), for: entity)
        } catch let error as SearchFilterError {
            throw MLflowError.invalidParameter("Invalid filter: \(error.message)")
        }
    }

    /// The request's `order_by` terms, parsed.
    static func order(_ request: MLflowRequest, for entity: SearchFilter.Entity) throws -> [SearchOrder] {
        do {
            return try SearchOrder.parse(try request.strings("order_by"), for: entity)
        } catch let error as SearchFilterError {
            throw MLflowError.invalidParameter("Invalid order_by: \(error.message)")
        }
    }

    /// Registers `handler` for `path` and `methods`, answering every failure in MLflow's error shape.
    func route(
        _ group: RouterGroup<Context>, _ path: RouterPath, _ methods: HTTPRequest.Method...,
        handler: @escaping @Sendable (MLflowRequest) async throws -> JSONValue
    ) {
        route(group, path, methods, handler: handler)
    }

    /// Registers a handler that writes its JSON itself, for answers that can be large.
    func route(
        _ group: RouterGroup<Context>, _ path: RouterPath, _ methods: HTTPRequest.Method...,
        handler: @escaping @Sendable (MLflowRequest) async throws -> JSONWriter
    ) {
        route(group, path, methods, handler: handler)
    }

    private func route<Answer: MLflowAnswer>(
        _ group: RouterGroup<Context>, _ path: RouterPath, _ methods: [HTTPRequest.Method],
        handler: @escaping @Sendable (MLflowRequest) async throws -> Answer
    ) {
        for method in methods {
            group.on(path, method: method) { request, context in
                do {
                    var fields = try await MLflowRequest(request).fields
                    // Path parameters, such as a logged model's id, count as fields too.
                    if let id = context.parameters.get("model_id") { fields["model_id"] = .string(id) }
                    let answer = try await handler(MLflowRequest(fields: fields))
                    return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer.body))
                } catch {
                    if let mlflow = MLflowError(error) { return mlflow.response }
                    if error is NIOTooManyBytesError {
                        return MLflowError.invalidParameter("The request body is larger than \(MLflowRequest.maxBodyBytes) bytes.").response
                    }
                    // Only the store failing gets here; a 5xx lets the client retry, which is right for an outage.
                    logger.error("MLflow call failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                    return MLflowError(status: .serviceUnavailable, code: "TEMPORARILY_UNAVAILABLE", message: "The store cannot be read or written right now: \(error)").response
                }
            }
        }
    }
}
