import Foundation
import LoupeCore
import Testing

/// The `ModelRegistryStore` contract, run against every backend.
@Suite struct ModelRegistryStoreTests {
    func withRegistry(_ backend: StoreBackend, _ body: (any ModelRegistryStore) async throws -> Void) async throws {
        try await backend.withStore { store in try await body(try #require(store as? any ModelRegistryStore)) }
    }

    @Test(arguments: StoreBackend.tested)
    func versionsNumberFromOneAndAliasesMove(_ backend: StoreBackend) async throws {
        try await withRegistry(backend) { registry in
            let model = try await registry.createRegisteredModel(name: "churn", description: "first", tags: ["team": "ml"])
            #expect(model.latestVersions.isEmpty && model.tags == ["team": "ml"])
            await #expect(throws: TrackingError.alreadyExists("Registered Model (name=churn) already exists.")) {
                try await registry.createRegisteredModel(name: "churn", description: "", tags: [:])
            }
            let one = try await registry.createModelVersion(name: "churn", source: "mlflow-artifacts:/1/r1/artifacts/model", runID: "r1", description: "", tags: [:])
            let two = try await registry.createModelVersion(name: "churn", source: "mlflow-artifacts:/1/r2/artifacts/model", runID: "r2", description: "", tags: ["k": "v"])
            #expect(one.version == 1 && two.version == 2 && two.tags == ["k": "v"] && two.currentStage == "None")
            await #expect(throws: TrackingError.self) {
                try await registry.createModelVersion(name: "nope", source: "s", runID: "", description: "", tags: [:])
            }

            try await registry.setAlias(name: "churn", alias: "champion", version: 1)
            #expect(try await registry.modelVersion(name: "churn", alias: "champion").source.contains("r1"))
            try await registry.setAlias(name: "churn", alias: "champion", version: 2)
            #expect(try await registry.modelVersion(name: "churn", alias: "champion").version == 2)
            #expect(try await registry.modelVersion(name: "churn", version: 2)?.aliases == ["champion"])
            let read = try #require(try await registry.registeredModel(name: "churn"))
            #expect(read.aliases == ["champion": 2] && read.latestVersions.map(\.version) == [2])
            try await registry.deleteAlias(name: "churn", alias: "champion")
            await #expect(throws: TrackingError.invalidParameter("Registered model alias champion not found.")) {
                try await registry.modelVersion(name: "churn", alias: "champion")
            }

            let moved = try await registry.transitionModelVersion(name: "churn", version: 1, stage: "Production", archiveExisting: false)
            #expect(moved.currentStage == "Production")
            _ = try await registry.transitionModelVersion(name: "churn", version: 2, stage: "Production", archiveExisting: true)
            #expect(try await registry.modelVersion(name: "churn", version: 1)?.currentStage == "Archived")

            // A rename carries the versions, tags and aliases along.
            try await registry.setAlias(name: "churn", alias: "best", version: 1)
            let renamed = try await registry.renameRegisteredModel(name: "churn", to: "churn-v2")
            #expect(renamed.aliases == ["best": 1] && renamed.tags == ["team": "ml"] && renamed.latestVersions.first?.version == 2)
            #expect(try await registry.registeredModel(name: "churn") == nil)
            try await registry.deleteModelVersion(name: "churn-v2", version: 1)
            #expect(try await registry.registeredModel(name: "churn-v2")?.aliases == [:])
            try await registry.deleteRegisteredModel(name: "churn-v2")
            #expect(try await registry.modelVersion(name: "churn-v2", version: 2) == nil)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func searchesFilterLikeTheClient(_ backend: StoreBackend) async throws {
        try await withRegistry(backend) { registry in
            for name in ["fraud-a", "fraud-b", "churn"] {
                _ = try await registry.createRegisteredModel(name: name, description: "", tags: [:])
                _ = try await registry.createModelVersion(name: name, source: "s/\(name)", runID: "run-\(name)", description: "", tags: [:])
            }
            _ = try await registry.createModelVersion(name: "churn", source: "s/churn2", runID: "run-x", description: "", tags: [:])
            try await registry.setRegisteredModelTag(name: "fraud-b", key: "mlflow.prompt.is_prompt", value: "true")
            func models(_ filter: String, _ order: [String] = []) async throws -> [String] {
                try await registry.searchRegisteredModels(
                    filter: try SearchFilter.parse(filter, for: .registeredModels), order: try SearchOrder.parse(order, for: .registeredModels),
                    maxResults: 100, pageToken: nil
                ).items.map(\.name)
            }
            // The client adds this clause to every search: models without the tag match it.
            #expect(try await models("name LIKE 'fraud%' AND tag.`mlflow.prompt.is_prompt` != 'true'") == ["fraud-a"])
            #expect(try await models("", ["name DESC"]) == ["fraud-b", "fraud-a", "churn"])
            let versions = try await registry.searchModelVersions(
                filter: try SearchFilter.parse("name = 'churn' and run_id = 'run-x'", for: .modelVersions), order: [], maxResults: 100, pageToken: nil
            )
            #expect(versions.items.map(\.version) == [2])
            let all = try await registry.searchModelVersions(
                filter: try SearchFilter.parse("name = 'churn'", for: .modelVersions), order: [], maxResults: 1, pageToken: nil
            )
            #expect(all.items.map(\.version) == [2] && all.nextPageToken != nil)  // newest version first
        }
    }
}
