import Foundation
import Hummingbird
import LoupeCore

extension MLflowController {
    func addLoggedModelRoutes(to api: RouterGroup<Context>) {
        route(api, "logged-models", .post) { try await createLoggedModel($0) }
        route(api, "logged-models/search", .post) { try await searchLoggedModels($0) }
        route(api, "logged-models/{model_id}", .get) { request in
            .object(["model": TrackingJSON.loggedModel(try await requireLoggedModel(try request.requiredString("model_id")))])
        }
        route(api, "logged-models/{model_id}", .patch) { request in
            let status = try request.requiredString("status")
            guard Self.loggedModelStatuses.contains(status) else {
                throw MLflowError.invalidParameter("Invalid logged model status '\(status)': expected one of \(Self.loggedModelStatuses.joined(separator: ", ")).")
            }
            let model = try await loggedModels.setLoggedModelStatus(id: try request.requiredString("model_id"), status: status)
            return .object(["model": TrackingJSON.loggedModel(model)])
        }
        route(api, "logged-models/{model_id}/tags", .patch) { request in
            try await loggedModels.setLoggedModelTags(id: try request.requiredString("model_id"), tags: try request.keyValues("tags"))
            return .object([:])
        }
        route(api, "logged-models/{model_id}", .delete) { request in
            try await loggedModels.deleteLoggedModel(id: try request.requiredString("model_id"))
            return .object([:])
        }
        // A run names the models it produced; the model already names its source run, which is the link Loupe keeps.
        route(api, "runs/outputs", .post) { request in
            let runID = try request.runID()
            guard try await store.run(id: runID) != nil else { throw MLflowError.notFound("Run '\(runID)' not found") }
            if case .array(let outputs)? = request.fields["models"] {
                for output in outputs {
                    let id = try MLflowRequest(fields: output.objectMembers).requiredString("model_id")
                    _ = try await requireLoggedModel(id)
                }
            }
            return .object([:])
        }
    }

    static var loggedModelStatuses: [String] { ["LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"] }

    func createLoggedModel(_ request: MLflowRequest) async throws -> JSONValue {
        let experimentID = try request.requiredString("experiment_id")
        guard let experiment = try await store.experiment(id: experimentID) else {
            throw MLflowError.notFound("No Experiment with id=\(experimentID) exists")
        }
        let id = "m-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var tags: [String: String] = [:]
        for (key, value) in try request.keyValues("tags") { tags[key] = value }
        var params: [String: String] = [:]
        for (key, value) in try request.keyValues("params") { params[key] = value }
        let now = Date().unixMillis
        let model = try await loggedModels.createLoggedModel(LoggedModel(
            id: id, experimentID: experimentID, name: try request.string("name").flatMap { $0.isEmpty ? nil : $0 } ?? Self.generatedName(id),
            artifactURI: "\(experiment.artifactLocation)/models/\(id)/artifacts", creationTimestamp: now, lastUpdatedTimestamp: now,
            modelType: try request.string("model_type") ?? "", sourceRunID: try request.string("source_run_id") ?? "", tags: tags, params: params
        ))
        return .object(["model": TrackingJSON.loggedModel(model)])
    }

    func searchLoggedModels(_ request: MLflowRequest) async throws -> JSONValue {
        let page = try await loggedModels.searchLoggedModels(
            experimentIDs: try request.strings("experiment_ids"), filter: try Self.filter(request, for: .loggedModels),
            maxResults: try request.int("max_results", default: 100, in: 1...10_000), pageToken: try request.string("page_token")
        )
        var answer: [String: JSONValue] = ["models": .array(page.items.map(TrackingJSON.loggedModel))]
        if let token = page.nextPageToken { answer["next_page_token"] = .string(token) }
        return .object(answer)
    }

    func requireLoggedModel(_ id: String) async throws -> LoggedModel {
        guard let model = try await loggedModels.loggedModel(id: id) else { throw MLflowError.notFound("Logged model with ID '\(id)' not found.") }
        return model
    }

    /// Where a version's files are: its source, or for `models:/m-…` the logged model's artifact location.
    func downloadURI(of version: ModelVersion) async throws -> String {
        guard version.source.hasPrefix("models:/m-") else { return version.source }
        let id = String(version.source.dropFirst("models:/".count))
        return try await requireLoggedModel(id).artifactURI
    }
}

extension JSONValue {
    /// The members of an object; empty for anything else.
    var objectMembers: [String: JSONValue] {
        if case .object(let members) = self { members } else { [:] }
    }
}
