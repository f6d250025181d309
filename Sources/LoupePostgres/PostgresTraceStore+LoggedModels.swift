import Foundation
import LoupeCore
import PostgresNIO

/// MLflow 3's logged models in the same PostgreSQL database as the runs that logged them.
extension PostgresTraceStore: LoggedModelStore {
    static let createLoggedModels: [String] = [
        """
        CREATE TABLE logged_models (
            id TEXT PRIMARY KEY,                  -- m- and 32 hex digits
            experiment_id BIGINT NOT NULL REFERENCES experiments (id),
            name TEXT NOT NULL,
            artifact_uri TEXT NOT NULL,
            creation_timestamp BIGINT NOT NULL,   -- Unix milliseconds
            last_updated_timestamp BIGINT NOT NULL,
            model_type TEXT NOT NULL,
            source_run_id TEXT NOT NULL,
            status TEXT NOT NULL
        )
        """,
        "CREATE INDEX logged_models_experiment ON logged_models (experiment_id, creation_timestamp)",
        """
        CREATE TABLE logged_model_tags (
            model_id TEXT NOT NULL REFERENCES logged_models (id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key)
        )
        """,
        """
        CREATE TABLE logged_model_params (
            model_id TEXT NOT NULL REFERENCES logged_models (id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key)
        )
        """,
    ]

    public func createLoggedModel(_ model: LoggedModel) async throws -> LoggedModel {
        try await withConnection("create logged model \(model.name)") { connection in
            try await self.transaction(on: connection) {
                let experiment = try await self.existingExperiment(on: connection, model.experimentID)
                try await self.execute("""
                    INSERT INTO logged_models VALUES (\(model.id), \(experiment), \(model.name), \(model.artifactURI), \(model.creationTimestamp),
                        \(model.lastUpdatedTimestamp), \(model.modelType), \(model.sourceRunID), \(model.status))
                    """, on: connection)
                for (key, value) in model.tags {
                    try await self.execute("INSERT INTO logged_model_tags VALUES (\(model.id), \(key), \(value))", on: connection)
                }
                for (key, value) in model.params {
                    try await self.execute("INSERT INTO logged_model_params VALUES (\(model.id), \(key), \(value))", on: connection)
                }
                return try await self.loggedModel(on: connection, id: model.id)!
            }
        }
    }

    public func loggedModel(id: String) async throws -> LoggedModel? {
        try await withConnection("read logged model \(id)") { try await self.loggedModel(on: $0, id: id) }
    }

    public func setLoggedModelStatus(id: String, status: String) async throws -> LoggedModel {
        try await withConnection("finish logged model \(id)") { connection in
            try await self.execute(
                "UPDATE logged_models SET status = \(status), last_updated_timestamp = \(Date().unixMillis) WHERE id = \(id)", on: connection
            )
            guard let model = try await self.loggedModel(on: connection, id: id) else { throw TrackingError.notFound("Logged model with ID '\(id)' not found.") }
            return model
        }
    }

    public func setLoggedModelTags(id: String, tags: [(key: String, value: String)]) async throws {
        try await withConnection("tag logged model \(id)") { connection in
            guard try await self.firstInt("SELECT count(*) FROM logged_models WHERE id = \(id)", on: connection) == 1 else {
                throw TrackingError.notFound("Logged model with ID '\(id)' not found.")
            }
            for (key, value) in tags {
                try await self.execute("""
                    INSERT INTO logged_model_tags VALUES (\(id), \(key), \(value)) ON CONFLICT (model_id, key) DO UPDATE SET value = EXCLUDED.value
                    """, on: connection)
            }
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try await withConnection("delete logged model \(id)") { connection in
            let deleted = try await self.firstInt("WITH gone AS (DELETE FROM logged_models WHERE id = \(id) RETURNING 1) SELECT count(*) FROM gone", on: connection)
            if deleted == 0 { throw TrackingError.notFound("Logged model with ID '\(id)' not found.") }
        }
    }

    public func searchLoggedModels(experimentIDs: [String], filter: SearchFilter, maxResults: Int, pageToken: String?) async throws -> TrackingPage<LoggedModel> {
        let experiments = experimentIDs.compactMap { Int64($0) }
        guard !experiments.isEmpty else { return TrackingPage(items: [], nextPageToken: nil) }
        let (query, offset) = try Self.searchQuery(
            { "SELECT id FROM logged_models WHERE experiment_id = ANY(\($0.bind(experiments)))" }, .loggedModels, filter, [], maxResults, pageToken
        )
        return try await withConnection("search logged models") { connection in
            let ids = try await connection.query(query, logger: self.logger).collect().map { try $0.decode(String.self) }
            var models: [LoggedModel] = []
            for id in ids.prefix(maxResults) {
                if let model = try await self.loggedModel(on: connection, id: id) { models.append(model) }
            }
            return TrackingPage(items: models, nextPageToken: ids.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    func loggedModel(on connection: PostgresConnection, id: String) async throws -> LoggedModel? {
        guard let row = try await connection.query("""
            SELECT experiment_id, name, artifact_uri, creation_timestamp, last_updated_timestamp, model_type, source_run_id, status
            FROM logged_models WHERE id = \(id)
            """, logger: logger).collect().first else { return nil }
        let (experiment, name, uri, created, updated, type, run, status) = try row.decode((Int64, String, String, Int64, Int64, String, String, String).self)
        var model = LoggedModel(
            id: id, experimentID: String(experiment), name: name, artifactURI: uri, creationTimestamp: created, lastUpdatedTimestamp: updated,
            modelType: type, sourceRunID: run, status: status
        )
        for tag in try await connection.query("SELECT key, value FROM logged_model_tags WHERE model_id = \(id)", logger: logger).collect() {
            let (key, value) = try tag.decode((String, String).self)
            model.tags[key] = value
        }
        for param in try await connection.query("SELECT key, value FROM logged_model_params WHERE model_id = \(id)", logger: logger).collect() {
            let (key, value) = try param.decode((String, String).self)
            model.params[key] = value
        }
        return model
    }
}
