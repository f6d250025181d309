import Foundation
import LoupeCore
import Testing

/// The `LoggedModelStore` contract (MLflow 3's logged models), run against every backend.
@Suite struct LoggedModelStoreTests {
    @Test(arguments: StoreBackend.tested)
    func loggedModelsAreCreatedFinishedTaggedSearchedAndDeleted(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let models = try #require(store as? any LoggedModelStore)
            func make(_ id: String, _ name: String, type: String, at time: Int64) -> LoggedModel {
                LoggedModel(
                    id: id, experimentID: "0", name: name, artifactURI: "mlflow-artifacts:/0/models/\(id)/artifacts", creationTimestamp: time,
                    lastUpdatedTimestamp: time, modelType: type, sourceRunID: "run-1", tags: ["flavor": type], params: ["alpha": "0.1"]
                )
            }
            let first = try await models.createLoggedModel(make("m-1", "model", type: "sklearn", at: 1))
            _ = try await models.createLoggedModel(make("m-2", "data", type: "pyfunc", at: 2))
            #expect(first.status == "LOGGED_MODEL_PENDING" && first.params == ["alpha": "0.1"])
            await #expect(throws: TrackingError.self) {
                try await models.createLoggedModel(LoggedModel(id: "m-3", experimentID: "99", name: "x", artifactURI: "", creationTimestamp: 0, lastUpdatedTimestamp: 0))
            }
            #expect(try await models.setLoggedModelStatus(id: "m-1", status: "LOGGED_MODEL_READY").status == "LOGGED_MODEL_READY")
            try await models.setLoggedModelTags(id: "m-1", tags: [("flavor", "sklearn-1.5"), ("owner", "ann")])
            #expect(try await models.loggedModel(id: "m-1")?.tags == ["flavor": "sklearn-1.5", "owner": "ann"])

            func names(_ filter: String) async throws -> [String] {
                try await models.searchLoggedModels(experimentIDs: ["0"], filter: try SearchFilter.parse(filter, for: .loggedModels), maxResults: 10, pageToken: nil)
                    .items.map(\.name)
            }
            #expect(try await names("") == ["data", "model"])  // newest first
            #expect(try await names("name = 'data'") == ["data"])
            #expect(try await names("tags.owner = 'ann' AND params.alpha = '0.1'") == ["model"])
            #expect(try await models.searchLoggedModels(experimentIDs: ["5"], filter: SearchFilter(clauses: []), maxResults: 10, pageToken: nil).items.isEmpty)

            try await models.deleteLoggedModel(id: "m-2")
            #expect(try await models.loggedModel(id: "m-2") == nil)
            await #expect(throws: TrackingError.self) { try await models.deleteLoggedModel(id: "m-2") }
        }
    }
}
