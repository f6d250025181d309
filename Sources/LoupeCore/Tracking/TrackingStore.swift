/// Where MLflow experiments, runs, params, tags and metrics live, beside the traces.
public protocol TrackingStore: Sendable {
    /// Creates an experiment; throws `TrackingError.alreadyExists` for a name in use (even by a deleted one).
    func createExperiment(name: String, artifactLocation: String?, tags: [String: String]) async throws -> Experiment
    func experiment(id: String) async throws -> Experiment?
    func experiment(name: String) async throws -> Experiment?
    /// Experiments in the view that match `filter`, in `order` (newest first when empty); `pageToken` continues a page.
    func searchExperiments(
        filter: SearchFilter, order: [SearchOrder], view: ViewType, maxResults: Int, pageToken: String?
    ) async throws -> TrackingPage<Experiment>
    func renameExperiment(id: String, to name: String) async throws
    func setExperimentStage(id: String, _ stage: LifecycleStage) async throws
    func setExperimentTag(id: String, key: String, value: String?) async throws

    /// Stores a new run with `info` (whose id the caller chose) and its first tags. An empty `artifactURI`
    /// becomes `<experiment's artifact location>/<run id>/artifacts`, as in MLflow.
    func createRun(_ info: RunInfo, tags: [String: String]) async throws -> TrackedRun
    func run(id: String) async throws -> TrackedRun?
    /// Changes what is given and returns the run's info as stored.
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, name: String?) async throws -> RunInfo
    func setRunStage(id: String, _ stage: LifecycleStage) async throws
    /// Logs in one transaction. A param already logged with another value throws `invalidParameter` and logs nothing.
    func logBatch(runID: String, metrics: [MetricPoint], params: [(key: String, value: String)], tags: [(key: String, value: String)]) async throws
    func deleteRunTag(runID: String, key: String) async throws
    /// Records datasets a run used; logging the same one again changes nothing.
    func logInputs(runID: String, datasets: [JSONValue]) async throws
    /// Every value of one metric, in step then timestamp order.
    func metricHistory(runID: String, key: String, maxResults: Int, pageToken: String?) async throws -> TrackingPage<MetricPoint>
    /// Runs of the experiments in the view that match `filter`, in `order` (newest first when empty).
    func searchRuns(
        experimentIDs: [String], filter: SearchFilter, order: [SearchOrder], view: ViewType, maxResults: Int, pageToken: String?
    ) async throws -> TrackingPage<TrackedRun>
}

/// One page of a search, and the token for the next; nil when there is none.
public struct TrackingPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

/// A tracking call that cannot be done as asked; the server answers in MLflow's error shape.
public enum TrackingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 404 `RESOURCE_DOES_NOT_EXIST`.
    case notFound(String)
    /// 400 `RESOURCE_ALREADY_EXISTS`.
    case alreadyExists(String)
    /// 400 `INVALID_PARAMETER_VALUE`.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .notFound(let message), .alreadyExists(let message), .invalidParameter(let message): message
        }
    }
}
