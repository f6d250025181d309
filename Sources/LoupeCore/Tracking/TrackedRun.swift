/// An MLflow run: its info, and the params, tags and latest metrics logged to it.
public struct TrackedRun: Sendable, Hashable {
    public var info: RunInfo
    public var params: [String: String]
    public var tags: [String: String]
    /// The latest value of each metric: highest step, then newest timestamp, then largest value.
    public var metrics: [String: MetricPoint]
    /// The datasets the run used, as MLflow's `DatasetInput` objects (`{"tags", "dataset": {name, digest, …}}`).
    public var datasetInputs: [JSONValue]

    public init(
        info: RunInfo, params: [String: String] = [:], tags: [String: String] = [:], metrics: [String: MetricPoint] = [:], datasetInputs: [JSONValue] = []
    ) {
        self.info = info
        self.params = params
        self.tags = tags
        self.metrics = metrics
        self.datasetInputs = datasetInputs
    }
}

/// A run's own attributes.
public struct RunInfo: Sendable, Hashable {
    /// 32 lowercase hex digits.
    public var id: String
    public var experimentID: String
    public var name: String
    public var userID: String
    public var status: RunStatus
    /// Unix milliseconds.
    public var startTime: Int64
    public var endTime: Int64?
    /// Such as `mlflow-artifacts:/1/<run id>/artifacts`.
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(
        id: String, experimentID: String, name: String, userID: String, status: RunStatus, startTime: Int64,
        endTime: Int64? = nil, artifactURI: String, lifecycleStage: LifecycleStage = .active
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// MLflow's run states.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running = "RUNNING", scheduled = "SCHEDULED", finished = "FINISHED", failed = "FAILED", killed = "KILLED"
}

/// One logged value of a metric.
public struct MetricPoint: Sendable, Hashable {
    public var key: String
    /// May be NaN or infinite; MLflow's clients send and expect them as "NaN", "Infinity", "-Infinity".
    public var value: Double
    /// Unix milliseconds.
    public var timestamp: Int64
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64 = 0) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    /// Equal when every field is, counting NaN as equal to NaN (a metric logged as NaN must read back equal).
    public static func == (lhs: MetricPoint, rhs: MetricPoint) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(timestamp)
        hasher.combine(step)
        hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
    }

    /// True when `self` replaces `other` as the latest value: MLflow compares (step, timestamp, value) as a
    /// tuple, so at an equal step and timestamp a NaN neither replaces nor is replaced.
    public func isLater(than other: MetricPoint) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        return value > other.value
    }
}
