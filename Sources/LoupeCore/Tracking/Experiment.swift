/// An MLflow experiment: a named group of runs.
public struct Experiment: Sendable, Hashable {
    /// A decimal number as a string, as MLflow's clients expect; `0` is the Default experiment.
    public var id: String
    public var name: String
    /// Where the experiment's runs keep their artifacts, such as `mlflow-artifacts:/1`.
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    /// Unix milliseconds.
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [String: String]

    public init(
        id: String, name: String, artifactLocation: String, lifecycleStage: LifecycleStage = .active,
        creationTime: Int64, lastUpdateTime: Int64, tags: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }
}

/// Whether an experiment or run is live or in the trash (MLflow deletes softly).
public enum LifecycleStage: String, Sendable, Hashable, CaseIterable {
    case active, deleted
}

/// Which lifecycle stages a search includes, as MLflow's `view_type`.
public enum ViewType: String, Sendable, Hashable, CaseIterable {
    case activeOnly = "ACTIVE_ONLY", deletedOnly = "DELETED_ONLY", all = "ALL"

    /// The stages this view includes.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}
