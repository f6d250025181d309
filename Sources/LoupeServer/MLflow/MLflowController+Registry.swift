import Hummingbird
import LoupeCore

extension MLflowController {
    func addRegistryRoutes(to api: RouterGroup<Context>) {
        route(api, "registered-models/create", .post) { try await createRegisteredModel($0) }
        route(api, "registered-models/get", .get) { .object(["registered_model": TrackingJSON.registeredModel(try await requireModel($0))]) }
        route(api, "registered-models/search", .get, .post) { try await searchRegisteredModels($0) }
        route(api, "registered-models/rename", .post) { request in
            let model = try await registry.renameRegisteredModel(name: try request.requiredString("name"), to: try request.requiredString("new_name"))
            return .object(["registered_model": TrackingJSON.registeredModel(model)])
        }
        route(api, "registered-models/update", .patch) { request in
            let model = try await registry.updateRegisteredModel(name: try request.requiredString("name"), description: try request.string("description") ?? "")
            return .object(["registered_model": TrackingJSON.registeredModel(model)])
        }
        route(api, "registered-models/delete", .delete) { request in
            try await registry.deleteRegisteredModel(name: try request.requiredString("name"))
            return .object([:])
        }
        route(api, "registered-models/set-tag", .post) { request in
            try await registry.setRegisteredModelTag(name: try request.requiredString("name"), key: try request.requiredString("key"), value: try request.string("value") ?? "")
            return .object([:])
        }
        route(api, "registered-models/delete-tag", .delete) { request in
            try await registry.setRegisteredModelTag(name: try request.requiredString("name"), key: try request.requiredString("key"), value: nil)
            return .object([:])
        }
        route(api, "registered-models/get-latest-versions", .get, .post) { request in
            let model = try await requireModel(request)
            let stages = try request.strings("stages")
            let versions = model.latestVersions.filter { stages.isEmpty || stages.contains($0.currentStage) }
            return .object(["model_versions": .array(versions.map(TrackingJSON.modelVersion))])
        }
        route(api, "registered-models/alias", .post) { request in
            try await registry.setAlias(name: try request.requiredString("name"), alias: try request.requiredString("alias"), version: try Self.version(request))
            return .object([:])
        }
        route(api, "registered-models/alias", .delete) { request in
            try await registry.deleteAlias(name: try request.requiredString("name"), alias: try request.requiredString("alias"))
            return .object([:])
        }
        route(api, "registered-models/alias", .get) { request in
            let found = try await registry.modelVersion(name: try request.requiredString("name"), alias: try request.requiredString("alias"))
            return .object(["model_version": TrackingJSON.modelVersion(found)])
        }

        route(api, "model-versions/create", .post) { try await createModelVersion($0) }
        route(api, "model-versions/get", .get) { .object(["model_version": TrackingJSON.modelVersion(try await requireVersion($0))]) }
        route(api, "model-versions/search", .get, .post) { try await searchModelVersions($0) }
        route(api, "model-versions/update", .patch) { request in
            let updated = try await registry.updateModelVersion(
                name: try request.requiredString("name"), version: try Self.version(request), description: try request.string("description") ?? ""
            )
            return .object(["model_version": TrackingJSON.modelVersion(updated)])
        }
        route(api, "model-versions/delete", .delete) { request in
            try await registry.deleteModelVersion(name: try request.requiredString("name"), version: try Self.version(request))
            return .object([:])
        }
        route(api, "model-versions/transition-stage", .post) { request in
            let stage = try request.requiredString("stage")
            guard let canonical = ModelVersion.stages.first(where: { $0.lowercased() == stage.lowercased() }) else {
                throw MLflowError.invalidParameter("Invalid Model Version stage: \(stage). Value must be one of \(ModelVersion.stages.joined(separator: ", ")).")
            }
            let archive = try request.string("archive_existing_versions") == "true"
            let moved = try await registry.transitionModelVersion(
                name: try request.requiredString("name"), version: try Self.version(request), stage: canonical, archiveExisting: archive
            )
            return .object(["model_version": TrackingJSON.modelVersion(moved)])
        }
        route(api, "model-versions/set-tag", .post) { request in
            try await registry.setModelVersionTag(
                name: try request.requiredString("name"), version: try Self.version(request), key: try request.requiredString("key"),
                value: try request.string("value") ?? ""
            )
            return .object([:])
        }
        route(api, "model-versions/delete-tag", .delete) { request in
            try await registry.setModelVersionTag(
                name: try request.requiredString("name"), version: try Self.version(request), key: try request.requiredString("key"), value: nil
            )
            return .object([:])
        }
        route(api, "model-versions/get-download-uri", .get) { request in
            .object(["artifact_uri": .string(try await downloadURI(of: try await requireVersion(request)))])
        }
    }

    func createRegisteredModel(_ request: MLflowRequest) async throws -> JSONValue {
        var tags: [String: String] = [:]
        for (key, value) in try request.keyValues("tags") { tags[key] = value }
        let model = try await registry.createRegisteredModel(
            name: try request.requiredString("name"), description: try request.string("description") ?? "", tags: tags
        )
        return .object(["registered_model": TrackingJSON.registeredModel(model)])
    }

    func searchRegisteredModels(_ request: MLflowRequest) async throws -> JSONValue {
        let page = try await registry.searchRegisteredModels(
            filter: try Self.filter(request, for: .registeredModels), order: try Self.order(request, for: .registeredModels),
            maxResults: try request.int("max_results", default: 100, in: 1...1000), pageToken: try request.string("page_token")
        )
        var answer: [String: JSONValue] = ["registered_models": .array(page.items.map(TrackingJSON.registeredModel))]
        if let token = page.nextPageToken { answer["next_page_token"] = .string(token) }
        return .object(answer)
    }

    func createModelVersion(_ request: MLflowRequest) async throws -> JSONValue {
        var tags: [String: String] = [:]
        for (key, value) in try request.keyValues("tags") { tags[key] = value }
        let source = try request.requiredString("source")
        var runID = try request.string("run_id") ?? ""
        // A version made from a logged model (MLflow 3's log_model) names the model, not the run: take the model's run.
        if runID.isEmpty, let modelID = try request.string("model_id") ?? (source.hasPrefix("models:/m-") ? String(source.dropFirst(8)) : nil) {
            runID = try await requireLoggedModel(modelID).sourceRunID
        }
        let created = try await registry.createModelVersion(
            name: try request.requiredString("name"), source: source, runID: runID, description: try request.string("description") ?? "", tags: tags
        )
        return .object(["model_version": TrackingJSON.modelVersion(created)])
    }

    func searchModelVersions(_ request: MLflowRequest) async throws -> JSONValue {
        let page = try await registry.searchModelVersions(
            filter: try Self.filter(request, for: .modelVersions), order: try Self.order(request, for: .modelVersions),
            maxResults: try request.int("max_results", default: 10_000, in: 1...200_000), pageToken: try request.string("page_token")
        )
        var answer: [String: JSONValue] = ["model_versions": .array(page.items.map(TrackingJSON.modelVersion))]
        if let token = page.nextPageToken { answer["next_page_token"] = .string(token) }
        return .object(answer)
    }

    func requireModel(_ request: MLflowRequest) async throws -> RegisteredModel {
        let name = try request.requiredString("name")
        guard let model = try await registry.registeredModel(name: name) else {
            throw MLflowError.notFound("Registered Model with name=\(name) not found")
        }
        return model
    }

    func requireVersion(_ request: MLflowRequest) async throws -> ModelVersion {
        let name = try request.requiredString("name")
        let version = try Self.version(request)
        guard let found = try await registry.modelVersion(name: name, version: version) else {
            throw MLflowError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return found
    }

    /// A version number, which MLflow's client sends as a string.
    static func version(_ request: MLflowRequest) throws -> Int {
        guard let version = try request.int64("version"), version > 0, version <= Int64(Int32.max) else {
            throw MLflowError.invalidParameter("Missing or invalid value for required parameter 'version': expected a positive whole number.")
        }
        return Int(version)
    }
}
