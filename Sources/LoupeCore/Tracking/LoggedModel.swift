/// An MLflow 3 logged model: files a run produced under `models/<id>`, which registry versions can point at.
public struct LoggedModel: Sendable, Hashable {
    /// `m-` and 32 hex digits.
    public var id: String
    public var experimentID: String
    public var name: String
    /// Such as `mlflow-artifacts:/1/models/m-…/artifacts`.
    public var artifactURI: String
    /// Unix milliseconds.
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var modelType: String
    public var sourceRunID: String
    /// `LOGGED_MODEL_PENDING`, `LOGGED_MODEL_READY` or `LOGGED_MODEL_UPLOAD_FAILED`.
    public var status: String
    public var tags: [String: String]
    public var params: [String: String]

    public init(
        id: String, experimentID: String, name: String, artifactURI: String, creationTimestamp: Int64, lastUpdatedTimestamp: Int64,
        modelType: String = "", sourceRunID: String = "", status: String = "LOGGED_MODEL_PENDING", tags: [String: String] = [:],
        params: [String: String] = [:]
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.artifactURI = artifactURI
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.status = status
        self.tags = tags
        self.params = params
    }
}

/// Where logged models live; each backend implements it beside the runs.
public protocol LoggedModelStore: Sendable {
    func createLoggedModel(_ model: LoggedModel) async throws -> LoggedModel
    func loggedModel(id: String) async throws -> LoggedModel?
    /// Changes the status and returns the model as stored.
    func setLoggedModelStatus(id: String, status: String) async throws -> LoggedModel
    func setLoggedModelTags(id: String, tags: [(key: String, value: String)]) async throws
    func deleteLoggedModel(id: String) async throws
    /// Logged models of the experiments whose name, type, status, source run, tags or params match, newest first.
    func searchLoggedModels(experimentIDs: [String], filter: SearchFilter, maxResults: Int, pageToken: String?) async throws -> TrackingPage<LoggedModel>
}
