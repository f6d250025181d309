import LoupeCore

extension MLflowController {
    func createExperiment(_ request: MLflowRequest) async throws -> JSONValue {
        let name = try request.requiredString("name")
        var tags: [String: String] = [:]
        for (key, value) in try request.keyValues("tags") { tags[key] = value }
        let location = try request.string("artifact_location").flatMap { $0.isEmpty ? nil : $0 }
        let experiment = try await store.createExperiment(name: name, artifactLocation: location, tags: tags)
        return .object(["experiment_id": .string(experiment.id)])
    }

    func getExperiment(_ request: MLflowRequest) async throws -> JSONValue {
        let id = try request.requiredString("experiment_id")
        guard let experiment = try await store.experiment(id: id) else { throw MLflowError.notFound("No Experiment with id=\(id) exists") }
        return .object(["experiment": TrackingJSON.experiment(experiment)])
    }

    func getExperimentByName(_ request: MLflowRequest) async throws -> JSONValue {
        let name = try request.requiredString("experiment_name")
        // The client's set_experiment relies on this 404 to create the experiment.
        guard let experiment = try await store.experiment(name: name) else {
            throw MLflowError.notFound("Could not find experiment with name '\(name)'")
        }
        return .object(["experiment": TrackingJSON.experiment(experiment)])
    }

    func searchExperiments(_ request: MLflowRequest) async throws -> JSONValue {
        let page = try await store.searchExperiments(
            filter: try Self.filter(request, for: .experiments), order: try Self.order(request, for: .experiments),
            view: try request.viewType("view_type"),
            maxResults: try request.int("max_results", default: 1000, in: 1...50_000),
            pageToken: try request.string("page_token")
        )
        var answer: [String: JSONValue] = ["experiments": .array(page.items.map(TrackingJSON.experiment))]
        if let token = page.nextPageToken { answer["next_page_token"] = .string(token) }
        return .object(answer)
    }

    func updateExperiment(_ request: MLflowRequest) async throws -> JSONValue {
        let id = try request.requiredString("experiment_id")
        if let name = try request.string("new_name") { try await store.renameExperiment(id: id, to: name) }
        return .object([:])
    }

    func setExperimentStage(_ request: MLflowRequest, _ stage: LifecycleStage) async throws -> JSONValue {
        try await store.setExperimentStage(id: try request.requiredString("experiment_id"), stage)
        return .object([:])
    }

    func setExperimentTag(_ request: MLflowRequest, delete: Bool) async throws -> JSONValue {
        let id = try request.requiredString("experiment_id")
        let key = try request.requiredString("key")
        try await store.setExperimentTag(id: id, key: key, value: delete ? nil : try request.string("value") ?? "")
        return .object([:])
    }
}
