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

    static func run(_ run: TrackedRun) -> JSONValue {
        .object([
            "info": runInfo(run.info),
            "data": .object([
                "metrics": .array(run.metrics.keys.sorted().map { metric(run.metrics[$0]!) }),
                "params": keyValues(run.params),
                "tags": keyValues(run.tags),
            ]),
            "inputs": run.datasetInputs.isEmpty ? .object([:]) : .object(["dataset_inputs": .array(run.datasetInputs)]),
        ])
    }

    static func runInfo(_ info: RunInfo) -> JSONValue {
        var members: [String: JSONValue] = [
            "run_id": .string(info.id),
            "run_uuid": .string(info.id),
            "run_name": .string(info.name),
            "experiment_id": .string(info.experimentID),
            "user_id": .string(info.userID),
            "status": .string(info.status.rawValue),
            "start_time": .number(Double(info.startTime)),
            "artifact_uri": .string(info.artifactURI),
            "lifecycle_stage": .string(info.lifecycleStage.rawValue),
        ]
        if let end = info.endTime { members["end_time"] = .number(Double(end)) }
        return .object(members)
    }

    static func metric(_ point: MetricPoint) -> JSONValue {
        .object([
            "key": .string(point.key),
            "value": number(point.value),
            "timestamp": .number(Double(point.timestamp)),
            "step": .number(Double(point.step)),
        ])
    }

    /// A double as protobuf's JSON writes it: NaN and the infinities as strings, which JSON has no numbers for.
    static func number(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        return .number(value)
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
