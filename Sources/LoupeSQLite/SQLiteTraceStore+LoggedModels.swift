import Foundation
import GRDB
import LoupeCore

/// MLflow 3's logged models in the same SQLite file as the runs that logged them.
extension SQLiteTraceStore: LoggedModelStore {
    static let createLoggedModels = """
        CREATE TABLE logged_models (
            id TEXT PRIMARY KEY,                  -- m- and 32 hex digits
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            name TEXT NOT NULL,
            artifact_uri TEXT NOT NULL,
            creation_timestamp INTEGER NOT NULL,  -- Unix milliseconds
            last_updated_timestamp INTEGER NOT NULL,
            model_type TEXT NOT NULL,
            source_run_id TEXT NOT NULL,
            status TEXT NOT NULL
        ) STRICT;
        CREATE INDEX logged_models_experiment ON logged_models(experiment_id, creation_timestamp);
        CREATE TABLE logged_model_tags (
            model_id TEXT NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        ) STRICT;
        CREATE TABLE logged_model_params (
            model_id TEXT NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        ) STRICT;
        """

    public func createLoggedModel(_ model: LoggedModel) async throws -> LoggedModel {
        try await writer.write { db in
            let experiment = try Self.existingExperiment(db, model.experimentID)
            try db.execute(sql: "INSERT INTO logged_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
                model.id, experiment, model.name, model.artifactURI, model.creationTimestamp, model.lastUpdatedTimestamp, model.modelType,
                model.sourceRunID, model.status,
            ])
            for (key, value) in model.tags { try db.execute(sql: "INSERT INTO logged_model_tags VALUES (?, ?, ?)", arguments: [model.id, key, value]) }
            for (key, value) in model.params { try db.execute(sql: "INSERT INTO logged_model_params VALUES (?, ?, ?)", arguments: [model.id, key, value]) }
            return try Self.loggedModel(db, id: model.id)!
        }
    }

    public func loggedModel(id: String) async throws -> LoggedModel? {
        try await writer.read { db in try Self.loggedModel(db, id: id) }
    }

    public func setLoggedModelStatus(id: String, status: String) async throws -> LoggedModel {
        try await writer.write { db in
            try db.execute(sql: "UPDATE logged_models SET status = ?, last_updated_timestamp = ? WHERE id = ?", arguments: [status, Date().unixMillis, id])
            guard db.changesCount > 0, let model = try Self.loggedModel(db, id: id) else { throw TrackingError.notFound("Logged model with ID '\(id)' not found.") }
            return model
        }
    }

    public func setLoggedModelTags(id: String, tags: [(key: String, value: String)]) async throws {
        try await writer.write { db in
            guard try Self.loggedModel(db, id: id) != nil else { throw TrackingError.notFound("Logged model with ID '\(id)' not found.") }
            for (key, value) in tags { try db.execute(sql: "INSERT OR REPLACE INTO logged_model_tags VALUES (?, ?, ?)", arguments: [id, key, value]) }
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM logged_models WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw TrackingError.notFound("Logged model with ID '\(id)' not found.") }
        }
    }

    public func searchLoggedModels(experimentIDs: [String], filter: SearchFilter, maxResults: Int, pageToken: String?) async throws -> TrackingPage<LoggedModel> {
        let experiments = experimentIDs.compactMap { Int64($0) }
        guard !experiments.isEmpty else { return TrackingPage(items: [], nextPageToken: nil) }
        let select = "SELECT id FROM logged_models WHERE experiment_id IN (\(databaseQuestionMarks(count: experiments.count)))"
        let (sql, arguments, offset) = try Self.searchSQL(select, leading: StatementArguments(experiments), .loggedModels, filter, [], maxResults, pageToken)
        return try await writer.read { db in
            let ids = try String.fetchAll(db, sql: sql, arguments: arguments)
            let models = try ids.prefix(maxResults).compactMap { try Self.loggedModel(db, id: $0) }
            return TrackingPage(items: models, nextPageToken: ids.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    static func loggedModel(_ db: Database, id: String) throws -> LoggedModel? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM logged_models WHERE id = ?", arguments: [id]) else { return nil }
        let experiment: Int64 = row["experiment_id"]
        var model = LoggedModel(
            id: id, experimentID: String(experiment), name: row["name"], artifactURI: row["artifact_uri"],
            creationTimestamp: row["creation_timestamp"], lastUpdatedTimestamp: row["last_updated_timestamp"],
            modelType: row["model_type"], sourceRunID: row["source_run_id"], status: row["status"]
        )
        for tag in try Row.fetchAll(db, sql: "SELECT key, value FROM logged_model_tags WHERE model_id = ?", arguments: [id]) { model.tags[tag["key"]] = tag["value"] }
        for param in try Row.fetchAll(db, sql: "SELECT key, value FROM logged_model_params WHERE model_id = ?", arguments: [id]) { model.params[param["key"]] = param["value"] }
        return model
    }
}
