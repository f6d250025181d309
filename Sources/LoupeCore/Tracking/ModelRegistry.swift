/// A named model in the registry, with its versions' aliases and newest version.
public struct RegisteredModel: Sendable, Hashable {
    public var name: String
    /// Unix milliseconds.
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var description: String
    public var tags: [String: String]
    /// Alias → version number, such as `champion` → 3.
    public var aliases: [String: Int]
    /// The newest version, when there is one (MLflow lists the newest per stage; Loupe has no stages in use).
    public var latestVersions: [ModelVersion]

    public init(
        name: String, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, description: String = "", tags: [String: String] = [:],
        aliases: [String: Int] = [:], latestVersions: [ModelVersion] = []
    ) {
        self.name = name
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.description = description
        self.tags = tags
        self.aliases = aliases
        self.latestVersions = latestVersions
    }
}

/// One version of a registered model: where its files are, and which run made it.
public struct ModelVersion: Sendable, Hashable {
    public var name: String
    /// 1, 2, … per model.
    public var version: Int
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var description: String
    /// Where the files are, such as `mlflow-artifacts:/1/<run>/artifacts/model`.
    public var source: String
    public var runID: String
    /// MLflow's legacy stage: None, Staging, Production or Archived.
    public var currentStage: String
    public var tags: [String: String]
    public var aliases: [String]

    public init(
        name: String, version: Int, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, description: String = "", source: String,
        runID: String = "", currentStage: String = "None", tags: [String: String] = [:], aliases: [String] = []
    ) {
        self.name = name
        self.version = version
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.description = description
        self.source = source
        self.runID = runID
        self.currentStage = currentStage
        self.tags = tags
        self.aliases = aliases
    }

    /// MLflow's stages, as the client spells them.
    public static let stages = ["None", "Staging", "Production", "Archived"]
}

/// The model registry: registered models, their versions, tags and aliases, beside the runs that made them.
public protocol ModelRegistryStore: Sendable {
    /// Throws `alreadyExists` for a name in use.
    func createRegisteredModel(name: String, description: String, tags: [String: String]) async throws -> RegisteredModel
    func registeredModel(name: String) async throws -> RegisteredModel?
    func searchRegisteredModels(filter: SearchFilter, order: [SearchOrder], maxResults: Int, pageToken: String?) async throws -> TrackingPage<RegisteredModel>
    func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel
    func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel
    /// Deletes the model with its versions, tags and aliases.
    func deleteRegisteredModel(name: String) async throws
    /// Sets a tag, or deletes it when `value` is nil.
    func setRegisteredModelTag(name: String, key: String, value: String?) async throws

    /// Adds the next version of `name`, ready at once.
    func createModelVersion(name: String, source: String, runID: String, description: String, tags: [String: String]) async throws -> ModelVersion
    func modelVersion(name: String, version: Int) async throws -> ModelVersion?
    func searchModelVersions(filter: SearchFilter, order: [SearchOrder], maxResults: Int, pageToken: String?) async throws -> TrackingPage<ModelVersion>
    func updateModelVersion(name: String, version: Int, description: String) async throws -> ModelVersion
    func deleteModelVersion(name: String, version: Int) async throws
    /// Moves a version to a stage; with `archiveExisting`, other versions in that stage go to Archived.
    func transitionModelVersion(name: String, version: Int, stage: String, archiveExisting: Bool) async throws -> ModelVersion
    func setModelVersionTag(name: String, version: Int, key: String, value: String?) async throws

    /// Points `alias` at a version, moving it if it pointed elsewhere.
    func setAlias(name: String, alias: String, version: Int) async throws
    func deleteAlias(name: String, alias: String) async throws
    /// The version an alias points at; throws `invalidParameter` for an unknown alias, as MLflow does.
    func modelVersion(name: String, alias: String) async throws -> ModelVersion
}
