import LoupeCore

/// MLflow's JSON shapes for experiments, runs and metrics.
enum TrackingJSON {
    static func experiment(_ experiment: Experiment) -> JSONValue {
        .object([
            "experiment_id": .string(experiment.id),
            "name": .string(experiment.name),
            "artifact_location": .string(experiment.artifactLocation),
            "lifecycle_stage": .string(experiment.lifecycleStage.rawValue),
            "creation_time": .number(Double(experiment.creationTime)),
            "last_update_time": .number(Double(experiment.lastUpdateTime)),
            "tags": keyValues(experiment.tags),
        ])
    }

    /// `{"<name>": [items], "next_page_token": …}`, the shape of every MLflow list answer.
    static func page<Item>(
        _ name: StaticString, _ page: TrackingPage<Item>, bytesPerItem: Int, write: (Item, inout JSONWriter) -> Void
    ) -> JSONWriter {
        var json = JSONWriter(capacity: bytesPerItem * page.items.count + 64)
        json.beginObject()
        json.key(name)
        json.beginArray()
        for item in page.items { write(item, &json) }
        json.endArray()
        if let token = page.nextPageToken {
            json.key("next_page_token")
            json.string(token)
        }
        json.endObject()
        return json
    }

    /// `run` as MLflow writes a Run: info, data (metrics, params, tags) and inputs.
    static func write(_ run: TrackedRun, to json: inout JSONWriter) {
        json.beginObject()
        json.key("info")
        write(run.info, to: &json)
        json.key("data")
        json.beginObject()
        json.key("metrics")
        json.beginArray()
        for (_, point) in run.metrics.sorted(by: { $0.key < $1.key }) { write(point, to: &json) }
        json.endArray()
        json.key("params")
        writeKeyValues(run.params, to: &json)
        json.key("tags")
        writeKeyValues(run.tags, to: &json)
        json.endObject()
        json.key("inputs")
        json.beginObject()
        if !run.datasetInputs.isEmpty {
            json.key("dataset_inputs")
            json.beginArray()
            for input in run.datasetInputs { json.value(input) }
            json.endArray()
        }
        json.endObject()
        // MLflow 3 writes the run's logged-model outputs too; Loupe links none to runs yet.
        json.key("outputs")
        json.beginObject()
        json.endObject()
        json.endObject()
    }

    static func write(_ info: RunInfo, to json: inout JSONWriter) {
        json.beginObject()
        json.key("run_id")
        json.string(info.id)
        json.key("run_uuid")
        json.string(info.id)
        json.key("run_name")
        json.string(info.name)
        json.key("experiment_id")
        json.string(info.experimentID)
        json.key("user_id")
        json.string(info.userID)
        json.key("status")
        json.string(info.status.rawValue)
        json.key("start_time")
        json.number(info.startTime)
        if let end = info.endTime {
            json.key("end_time")
            json.number(end)
        }
        json.key("artifact_uri")
        json.string(info.artifactURI)
        json.key("lifecycle_stage")
        json.string(info.lifecycleStage.rawValue)
        json.endObject()
    }

    static func write(_ point: MetricPoint, to json: inout JSONWriter) {
        json.beginObject()
        json.key("key")
        json.string(point.key)
        json.key("value")
        writeNumber(point.value, to: &json)
        json.key("timestamp")
        json.number(point.timestamp)
        json.key("step")
        json.number(point.step)
        json.endObject()
    }

    /// A double as protobuf's JSON writes it: NaN and the infinities as strings, which JSON has no numbers for.
    static func writeNumber(_ value: Double, to json: inout JSONWriter) {
        if value.isNaN {
            json.string("NaN")
        } else if value.isInfinite {
            json.string(value > 0 ? "Infinity" : "-Infinity")
        } else {
            json.number(value)
        }
    }

    /// `[{"key": …, "value": …}]` in key order.
    static func writeKeyValues(_ pairs: [String: String], to json: inout JSONWriter) {
        json.beginArray()
        // Sorting the pairs, not the keys, saves looking each value up again.
        for (key, value) in pairs.sorted(by: { $0.key < $1.key }) {
            json.beginObject()
            json.key("key")
            json.string(key)
            json.key("value")
            json.string(value)
            json.endObject()
        }
        json.endArray()
    }

    static func keyValues(_ pairs: [String: String]) -> JSONValue {
        .array(pairs.keys.sorted().map { .object(["key": .string($0), "value": .string(pairs[$0]!)]) })
    }

    static func registeredModel(_ model: RegisteredModel) -> JSONValue {
        .object([
            "name": .string(model.name),
            "creation_timestamp": .number(Double(model.creationTimestamp)),
            "last_updated_timestamp": .number(Double(model.lastUpdatedTimestamp)),
            "description": .string(model.description),
            "latest_versions": .array(model.latestVersions.map(modelVersion)),
            "tags": keyValues(model.tags),
            "aliases": .array(model.aliases.keys.sorted().map { .object(["alias": .string($0), "version": .string(String(model.aliases[$0]!))]) }),
        ])
    }

    /// A version as MLflow writes it: the number as a string, and READY, since Loupe registers at once.
    static func modelVersion(_ version: ModelVersion) -> JSONValue {
        .object([
            "name": .string(version.name),
            "version": .string(String(version.version)),
            "creation_timestamp": .number(Double(version.creationTimestamp)),
            "last_updated_timestamp": .number(Double(version.lastUpdatedTimestamp)),
            "current_stage": .string(version.currentStage),
            "description": .string(version.description),
            "source": .string(version.source),
            "run_id": .string(version.runID),
            "status": .string("READY"),
            "run_link": .string(""),
            "tags": keyValues(version.tags),
            "aliases": .array(version.aliases.map(JSONValue.string)),
        ])
    }

    static func loggedModel(_ model: LoggedModel) -> JSONValue {
        .object([
            "info": .object([
                "model_id": .string(model.id),
                "experiment_id": .string(model.experimentID),
                "name": .string(model.name),
                "artifact_uri": .string(model.artifactURI),
                "creation_timestamp_ms": .number(Double(model.creationTimestamp)),
                "last_updated_timestamp_ms": .number(Double(model.lastUpdatedTimestamp)),
                "model_type": .string(model.modelType),
                "source_run_id": .string(model.sourceRunID),
                "status": .string(model.status),
                "tags": keyValues(model.tags),
            ]),
            "data": .object(["params": keyValues(model.params), "metrics": .array([])]),
        ])
    }
}
