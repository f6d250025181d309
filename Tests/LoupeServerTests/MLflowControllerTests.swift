import Foundation
import LoupeCore
import NIOHTTP1
import Testing

/// MLflow's tracking API through a live Loupe: the calls the `mlflow` client makes, in its wire format.
@Suite struct MLflowControllerTests {
    static let api = "/api/2.0/mlflow"

    @Test func setExperimentFindsOrCreatesByName() async throws {
        try await withLoupe { loupe in
            let missing = try await loupe.get("\(Self.api)/experiments/get-by-name?experiment_name=churn")
            #expect(missing.status == 404 && missing.json?["error_code"] == "RESOURCE_DOES_NOT_EXIST")
            let created = try await loupe.request("\(Self.api)/experiments/create", body: #"{"name": "churn", "tags": [{"key": "team", "value": "ml"}]}"#)
            let id = try #require(created.json?["experiment_id"]?.stringValue)
            let found = try await loupe.get("\(Self.api)/experiments/get-by-name?experiment_name=churn")
            #expect(found.json?["experiment"]?["experiment_id"] == .string(id))
            #expect(found.json?["experiment"]?["artifact_location"] == .string("mlflow-artifacts:/\(id)"))
            #expect(found.json?["experiment"]?["tags"] == .array([.object(["key": "team", "value": "ml"])]))
            let again = try await loupe.request("\(Self.api)/experiments/create", body: #"{"name": "churn"}"#)
            #expect(again.status == 400 && again.json?["error_code"] == "RESOURCE_ALREADY_EXISTS")
            let search = try await loupe.request("\(Self.api)/experiments/search", body: #"{"max_results": 10}"#)
            #expect(search.json?["experiments"].map(Self.names) == ["churn", "Default"])
        }
    }

    @Test func aRunLogsParamsMetricsAndTagsAndReadsThemBack() async throws {
        try await withLoupe { loupe in
            // Protobuf's JSON writes int64 fields as strings; both forms are accepted.
            let created = try await loupe.request("\(Self.api)/runs/create", body: #"""
                {"experiment_id": "0", "start_time": "1700000000000", "run_name": "first", "tags": [{"key": "mlflow.user", "value": "ann"}]}
                """#)
            #expect(created.status == 200)
            let id = try #require(created.json?["run"]?["info"]?["run_id"]?.stringValue)
            #expect(created.json?["run"]?["info"]?["start_time"] == 1_700_000_000_000)
            #expect(created.json?["run"]?["info"]?["artifact_uri"] == .string("mlflow-artifacts:/0/\(id)/artifacts"))
            #expect(try await loupe.request("\(Self.api)/runs/log-parameter", body: #"{"run_id": "\#(id)", "key": "alpha", "value": "0.1"}"#).status == 200)
            _ = try await loupe.request("\(Self.api)/runs/log-metric", body: #"{"run_uuid": "\#(id)", "key": "odd", "value": "NaN", "timestamp": 5, "step": 0}"#)
            let batch = try await loupe.request("\(Self.api)/runs/log-batch", body: #"""
                {"run_id": "\#(id)", "metrics": [
                    {"key": "rmse", "value": 0.9, "timestamp": "10", "step": "0"},
                    {"key": "rmse", "value": 0.4, "timestamp": "11", "step": "1"},
                    {"key": "big", "value": "Infinity", "timestamp": "11", "step": "0"}],
                 "params": [{"key": "l1", "value": "true"}], "tags": [{"key": "team", "value": "ml"}]}
                """#)
            #expect(batch.status == 200 && batch.json == .object([:]))

            let run = try await loupe.get("\(Self.api)/runs/get?run_id=\(id)")
            let data = try #require(run.json?["run"]?["data"])
            #expect(data["params"] == .array([.object(["key": "alpha", "value": "0.1"]), .object(["key": "l1", "value": "true"])]))
            #expect(data["metrics"] == .array([
                .object(["key": "big", "value": "Infinity", "timestamp": 11, "step": 0]),
                .object(["key": "odd", "value": "NaN", "timestamp": 5, "step": 0]),
                .object(["key": "rmse", "value": .number(0.4), "timestamp": 11, "step": 1]),
            ]))
            #expect(data["tags"] == .array([
                .object(["key": "mlflow.runName", "value": "first"]), .object(["key": "mlflow.user", "value": "ann"]),
                .object(["key": "team", "value": "ml"]),
            ]))
            #expect(run.json?["run"]?["info"]?["user_id"] == "ann")

            let history = try await loupe.get("\(Self.api)/metrics/get-history?run_id=\(id)&metric_key=rmse&max_results=1")
            #expect(history.json?["metrics"] == .array([.object(["key": "rmse", "value": .number(0.9), "timestamp": 10, "step": 0])]))
            let token = try #require(history.json?["next_page_token"]?.stringValue)
            let rest = try await loupe.get("\(Self.api)/metrics/get-history?run_id=\(id)&metric_key=rmse&max_results=1&page_token=\(token)")
            #expect(rest.json?["metrics"] == .array([.object(["key": "rmse", "value": .number(0.4), "timestamp": 11, "step": 1])]))

            let input = #"{"tags": [{"key": "mlflow.data.context", "value": "train"}], "dataset": {"name": "churn", "digest": "abc"}}"#
            #expect(try await loupe.request("\(Self.api)/runs/log-inputs", body: #"{"run_id": "\#(id)", "datasets": [\#(input)]}"#).status == 200)
            let withInputs = try await loupe.get("\(Self.api)/runs/get?run_id=\(id)")
            #expect(withInputs.json?["run"]?["inputs"]?["dataset_inputs"] == .array([try #require(JSONValue.parse(input))]))
            let badInput = try await loupe.request("\(Self.api)/runs/log-inputs", body: #"{"run_id": "\#(id)", "datasets": [{"dataset": {}}]}"#)
            #expect(badInput.status == 400 && badInput.json?["error_code"] == "INVALID_PARAMETER_VALUE")

            let finished = try await loupe.request("\(Self.api)/runs/update", body: #"{"run_id": "\#(id)", "status": "FINISHED", "end_time": 1700000009000}"#)
            #expect(finished.json?["run_info"]?["status"] == "FINISHED" && finished.json?["run_info"]?["end_time"] == 1_700_000_009_000)
        }
    }

    @Test func mistakesAreMLflowErrorsAndLogNothing() async throws {
        try await withLoupe { loupe in
            let created = try await loupe.request("\(Self.api)/runs/create", body: #"{"experiment_id": "0"}"#)
            let id = try #require(created.json?["run"]?["info"]?["run_id"]?.stringValue)
            #expect(created.json?["run"]?["info"]?["run_name"]?.stringValue?.isEmpty == false)  // named even when the client gave none
            _ = try await loupe.request("\(Self.api)/runs/log-parameter", body: #"{"run_id": "\#(id)", "key": "alpha", "value": "0.1"}"#)
            let changed = try await loupe.request("\(Self.api)/runs/log-parameter", body: #"{"run_id": "\#(id)", "key": "alpha", "value": "0.2"}"#)
            #expect(changed.status == 400 && changed.json?["error_code"] == "INVALID_PARAMETER_VALUE")
            #expect(changed.json?["message"]?.stringValue?.contains("Changing param values is not allowed") == true)

            let metrics = (0..<1001).map { #"{"key": "m", "value": \#($0), "timestamp": 1, "step": \#($0)}"# }.joined(separator: ",")
            let tooMany = try await loupe.request("\(Self.api)/runs/log-batch", body: #"{"run_id": "\#(id)", "metrics": [\#(metrics)]}"#)
            #expect(tooMany.status == 400 && tooMany.json?["message"]?.stringValue?.contains("at most 1000 metrics") == true)
            let missingRun = try await loupe.get("\(Self.api)/runs/get?run_id=0123456789abcdef0123456789abcdef")
            #expect(missingRun.status == 404 && missingRun.json?["error_code"] == "RESOURCE_DOES_NOT_EXIST")
            let malformed = try await loupe.request("\(Self.api)/runs/log-metric", body: #"{"run_id": "#)
            #expect(malformed.status == 400 && malformed.json?["error_code"] == "INVALID_PARAMETER_VALUE")
            let noKey = try await loupe.request("\(Self.api)/runs/log-metric", body: #"{"run_id": "\#(id)", "value": 1}"#)
            #expect(noKey.status == 400 && noKey.json?["message"]?.stringValue?.contains("'key'") == true)
            let badValue = try await loupe.request("\(Self.api)/runs/log-metric", body: #"{"run_id": "\#(id)", "key": "m", "value": "lots"}"#)
            #expect(badValue.status == 400)

            let run = try await loupe.get("\(Self.api)/runs/get?run_id=\(id)")
            #expect(run.json?["run"]?["data"]?["metrics"] == .array([]))
            #expect(run.json?["run"]?["data"]?["params"] == .array([.object(["key": "alpha", "value": "0.1"])]))
        }
    }

    @Test func searchRunsPagesNewestFirstAndHidesDeletedRuns() async throws {
        try await withLoupe { loupe in
            let experiment = try #require(try await loupe.request("\(Self.api)/experiments/create", body: #"{"name": "search"}"#).json?["experiment_id"]?.stringValue)
            var ids: [String] = []
            for start in 1...3 {
                let run = try await loupe.request("\(Self.api)/runs/create", body: #"{"experiment_id": "\#(experiment)", "start_time": \#(start)}"#)
                ids.append(try #require(run.json?["run"]?["info"]?["run_id"]?.stringValue))
            }
            _ = try await loupe.request("\(Self.api)/runs/delete", body: #"{"run_id": "\#(ids[1])"}"#)
            let page = try await loupe.request("\(Self.api)/runs/search", body: #"{"experiment_ids": ["\#(experiment)"], "max_results": 1}"#)
            #expect(page.json?["runs"].map(Self.runIDs) == [ids[2]])
            let token = try #require(page.json?["next_page_token"]?.stringValue)
            let next = try await loupe.request("\(Self.api)/runs/search", body: #"{"experiment_ids": ["\#(experiment)"], "max_results": 1, "page_token": "\#(token)"}"#)
            #expect(next.json?["runs"].map(Self.runIDs) == [ids[0]] && next.json?["next_page_token"] == nil)
            let deleted = try await loupe.request("\(Self.api)/runs/search", body: #"{"experiment_ids": ["\#(experiment)"], "run_view_type": "DELETED_ONLY"}"#)
            #expect(deleted.json?["runs"].map(Self.runIDs) == [ids[1]])
        }
    }

    @Test func theRegistryServesVersionsAliasesAndDownloadURIs() async throws {
        try await withLoupe { loupe in
            let created = try await loupe.request("\(Self.api)/registered-models/create", body: #"{"name": "churn"}"#)
            #expect(created.json?["registered_model"]?["name"] == "churn")
            let again = try await loupe.request("\(Self.api)/registered-models/create", body: #"{"name": "churn"}"#)
            #expect(again.status == 400 && again.json?["error_code"] == "RESOURCE_ALREADY_EXISTS")
            let version = try await loupe.request("\(Self.api)/model-versions/create", body: #"{"name": "churn", "source": "mlflow-artifacts:/0/r/artifacts/model", "run_id": "r"}"#)
            #expect(version.json?["model_version"]?["version"] == "1" && version.json?["model_version"]?["status"] == "READY")
            _ = try await loupe.request("\(Self.api)/registered-models/alias", body: #"{"name": "churn", "alias": "champion", "version": "1"}"#)
            let alias = try await loupe.get("\(Self.api)/registered-models/alias?name=churn&alias=champion")
            #expect(alias.json?["model_version"]?["aliases"] == .array(["champion"]))
            let uri = try await loupe.get("\(Self.api)/model-versions/get-download-uri?name=churn&version=1")
            #expect(uri.json == .object(["artifact_uri": "mlflow-artifacts:/0/r/artifacts/model"]))
            let model = try await loupe.get("\(Self.api)/registered-models/get?name=churn")
            #expect(model.json?["registered_model"]?["aliases"] == .array([.object(["alias": "champion", "version": "1"])]))
            let unknownAlias = try await loupe.get("\(Self.api)/registered-models/alias?name=churn&alias=nope")
            #expect(unknownAlias.status == 400 && unknownAlias.json?["error_code"] == "INVALID_PARAMETER_VALUE")
            let unknownModel = try await loupe.get("\(Self.api)/registered-models/get?name=nope")
            #expect(unknownModel.status == 404 && unknownModel.json?["error_code"] == "RESOURCE_DOES_NOT_EXIST")
            let badVersion = try await loupe.get("\(Self.api)/model-versions/get?name=churn&version=one")
            #expect(badVersion.status == 400)
            let deleted = try await loupe.request("\(Self.api)/registered-models/alias", method: .DELETE, body: #"{"name": "churn", "alias": "champion"}"#)
            #expect(deleted.status == 200)
            let search = try await loupe.get("\(Self.api)/registered-models/search?filter=name+%3D+%27churn%27+AND+tag.%60mlflow.prompt.is_prompt%60+%21%3D+%27true%27")
            #expect(search.json?["registered_models"].map(Self.names) == ["churn"])
        }
    }

    static func names(_ list: JSONValue) -> [String] {
        if case .array(let items) = list { items.compactMap { $0["name"]?.stringValue } } else { [] }
    }

    static func runIDs(_ list: JSONValue) -> [String] {
        if case .array(let items) = list { items.compactMap { $0["info"]?["run_id"]?.stringValue } } else { [] }
    }
}
