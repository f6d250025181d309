import Foundation
import LoupeCore
import PostgresNIO

/// The MLflow model registry in the same PostgreSQL database as the runs that made the models.
extension PostgresTraceStore: ModelRegistryStore {
    static let createModelRegistry: [String] = [
        """
        CREATE TABLE registered_models (
            name TEXT PRIMARY KEY,
            creation_timestamp BIGINT NOT NULL,   -- Unix milliseconds
            last_updated_timestamp BIGINT NOT NULL,
            description TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE registered_model_tags (
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, key)
        )
        """,
        """
        CREATE TABLE model_versions (
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            version INTEGER NOT NULL,
            creation_timestamp BIGINT NOT NULL,
            last_updated_timestamp BIGINT NOT NULL,
            description TEXT NOT NULL,
            source TEXT NOT NULL,
            run_id TEXT NOT NULL,
            current_stage TEXT NOT NULL,
            PRIMARY KEY (name, version)
        )
        """,
        """
        CREATE TABLE model_version_tags (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, version, key),
            FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE registered_model_aliases (
            name TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (name, alias),
            FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
        )
        """,
    ]

    public func createRegisteredModel(name: String, description: String, tags: [String: String]) async throws -> RegisteredModel {
        guard !name.isEmpty else { throw TrackingError.invalidParameter("Registered model name cannot be empty.") }
        return try await withConnection("create registered model \(name)") { connection in
            try await self.transaction(on: connection) {
                let now = Date().unixMillis
                let created = try await self.firstInt("""
                    WITH added AS (INSERT INTO registered_models VALUES (\(name), \(now), \(now), \(description)) ON CONFLICT DO NOTHING RETURNING 1)
                    SELECT count(*) FROM added
                    """, on: connection)
                guard created == 1 else { throw TrackingError.alreadyExists("Registered Model (name=\(name)) already exists.") }
                for (key, value) in tags {
                    try await self.execute("INSERT INTO registered_model_tags VALUES (\(name), \(key), \(value))", on: connection)
                }
                return try await self.registeredModel(on: connection, name: name)!
            }
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel? {
        try await withConnection("read registered model \(name)") { try await self.registeredModel(on: $0, name: name) }
    }

    public func searchRegisteredModels(filter: SearchFilter, order: [SearchOrder], maxResults: Int, pageToken: String?) async throws -> TrackingPage<RegisteredModel> {
        let (query, offset) = try Self.searchQuery({ _ in "SELECT name FROM registered_models WHERE true" }, .registeredModels, filter, order, maxResults, pageToken)
        return try await withConnection("search registered models") { connection in
            let names = try await connection.query(query, logger: self.logger).collect().map { try $0.decode(String.self) }
            var models: [RegisteredModel] = []
            for name in names.prefix(maxResults) {
                if let model = try await self.registeredModel(on: connection, name: name) { models.append(model) }
            }
            return TrackingPage(items: models, nextPageToken: names.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        guard !newName.isEmpty else { throw TrackingError.invalidParameter("Registered model name cannot be empty.") }
        return try await withConnection("rename registered model \(name)") { connection in
            try await self.transaction(on: connection) {
                try await self.requireModel(on: connection, name)
                guard try await self.firstInt("SELECT count(*) FROM registered_models WHERE name = \(newName)", on: connection) == 0 else {
                    throw TrackingError.alreadyExists("Registered Model (name=\(newName)) already exists.")
                }
                try await self.execute(
                    "UPDATE registered_models SET name = \(newName), last_updated_timestamp = \(Date().unixMillis) WHERE name = \(name)", on: connection
                )
                return try await self.registeredModel(on: connection, name: newName)!
            }
        }
    }

    public func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel {
        try await withConnection("update registered model \(name)") { connection in
            try await self.requireModel(on: connection, name)
            try await self.execute(
                "UPDATE registered_models SET description = \(description), last_updated_timestamp = \(Date().unixMillis) WHERE name = \(name)",
                on: connection
            )
            return try await self.registeredModel(on: connection, name: name)!
        }
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await withConnection("delete registered model \(name)") { connection in
            try await self.requireModel(on: connection, name)
            try await self.execute("DELETE FROM registered_models WHERE name = \(name)", on: connection)
        }
    }

    public func setRegisteredModelTag(name: String, key: String, value: String?) async throws {
        try await withConnection("tag registered model \(name)") { connection in
            try await self.requireModel(on: connection, name)
            if let value {
                try await self.execute("""
                    INSERT INTO registered_model_tags VALUES (\(name), \(key), \(value)) ON CONFLICT (name, key) DO UPDATE SET value = EXCLUDED.value
                    """, on: connection)
            } else {
                try await self.execute("DELETE FROM registered_model_tags WHERE name = \(name) AND key = \(key)", on: connection)
            }
        }
    }

    public func createModelVersion(name: String, source: String, runID: String, description: String, tags: [String: String]) async throws -> ModelVersion {
        try await withConnection("create a version of \(name)") { connection in
            try await self.transaction(on: connection) {
                // Locks the model's row, so two registrations take numbers one after the other.
                let locked = try await self.firstInt("SELECT count(*) FROM (SELECT 1 FROM registered_models WHERE name = \(name) FOR UPDATE) AS m", on: connection)
                guard locked == 1 else { throw TrackingError.notFound("Registered Model with name=\(name) not found") }
                let version = try await self.firstInt("SELECT coalesce(max(version), 0) + 1 FROM model_versions WHERE name = \(name)", on: connection)
                let now = Date().unixMillis
                try await self.execute("""
                    INSERT INTO model_versions VALUES (\(name), \(version), \(now), \(now), \(description), \(source), \(runID), 'None')
                    """, on: connection)
                for (key, value) in tags {
                    try await self.execute("INSERT INTO model_version_tags VALUES (\(name), \(version), \(key), \(value))", on: connection)
                }
                try await self.execute("UPDATE registered_models SET last_updated_timestamp = \(now) WHERE name = \(name)", on: connection)
                return try await self.modelVersion(on: connection, name: name, version: version)!
            }
        }
    }

    public func modelVersion(name: String, version: Int) async throws -> ModelVersion? {
        try await withConnection("read a version of \(name)") { try await self.modelVersion(on: $0, name: name, version: version) }
    }

    public func searchModelVersions(filter: SearchFilter, order: [SearchOrder], maxResults: Int, pageToken: String?) async throws -> TrackingPage<ModelVersion> {
        let (query, offset) = try Self.searchQuery({ _ in "SELECT name, version FROM model_versions WHERE true" }, .modelVersions, filter, order, maxResults, pageToken)
        return try await withConnection("search model versions") { connection in
            let keys = try await connection.query(query, logger: self.logger).collect().map { try $0.decode((String, Int).self) }
            var versions: [ModelVersion] = []
            for (name, version) in keys.prefix(maxResults) {
                if let found = try await self.modelVersion(on: connection, name: name, version: version) { versions.append(found) }
            }
            return TrackingPage(items: versions, nextPageToken: keys.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func updateModelVersion(name: String, version: Int, description: String) async throws -> ModelVersion {
        try await withConnection("update a version of \(name)") { connection in
            try await self.requireVersion(on: connection, name, version)
            try await self.execute("""
                UPDATE model_versions SET description = \(description), last_updated_timestamp = \(Date().unixMillis) WHERE name = \(name) AND version = \(version)
                """, on: connection)
            return try await self.modelVersion(on: connection, name: name, version: version)!
        }
    }

    public func deleteModelVersion(name: String, version: Int) async throws {
        try await withConnection("delete a version of \(name)") { connection in
            try await self.requireVersion(on: connection, name, version)
            try await self.execute("DELETE FROM model_versions WHERE name = \(name) AND version = \(version)", on: connection)
        }
    }

    public func transitionModelVersion(name: String, version: Int, stage: String, archiveExisting: Bool) async throws -> ModelVersion {
        try await withConnection("move a version of \(name)") { connection in
            try await self.transaction(on: connection) {
                try await self.requireVersion(on: connection, name, version)
                let now = Date().unixMillis
                if archiveExisting, stage == "Staging" || stage == "Production" {
                    try await self.execute("""
                        UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = \(now)
                        WHERE name = \(name) AND version <> \(version) AND current_stage = \(stage)
                        """, on: connection)
                }
                try await self.execute("""
                    UPDATE model_versions SET current_stage = \(stage), last_updated_timestamp = \(now) WHERE name = \(name) AND version = \(version)
                    """, on: connection)
                return try await self.modelVersion(on: connection, name: name, version: version)!
            }
        }
    }

    public func setModelVersionTag(name: String, version: Int, key: String, value: String?) async throws {
        try await withConnection("tag a version of \(name)") { connection in
            try await self.requireVersion(on: connection, name, version)
            if let value {
                try await self.execute("""
                    INSERT INTO model_version_tags VALUES (\(name), \(version), \(key), \(value))
                    ON CONFLICT (name, version, key) DO UPDATE SET value = EXCLUDED.value
                    """, on: connection)
            } else {
                try await self.execute("DELETE FROM model_version_tags WHERE name = \(name) AND version = \(version) AND key = \(key)", on: connection)
            }
        }
    }

    public func setAlias(name: String, alias: String, version: Int) async throws {
        try await withConnection("set alias \(alias) of \(name)") { connection in
            try await self.requireVersion(on: connection, name, version)
            try await self.execute("""
                INSERT INTO registered_model_aliases VALUES (\(name), \(alias), \(version)) ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version
                """, on: connection)
        }
    }

    public func deleteAlias(name: String, alias: String) async throws {
        try await withConnection("delete alias \(alias) of \(name)") { connection in
            try await self.requireModel(on: connection, name)
            try await self.execute("DELETE FROM registered_model_aliases WHERE name = \(name) AND alias = \(alias)", on: connection)
        }
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try await withConnection("read alias \(alias) of \(name)") { connection in
            let version = try await connection.query(
                "SELECT version FROM registered_model_aliases WHERE name = \(name) AND alias = \(alias)", logger: self.logger
            ).collect().first?.decode(Int.self)
            guard let version, let found = try await self.modelVersion(on: connection, name: name, version: version) else {
                throw TrackingError.invalidParameter("Registered model alias \(alias) not found.")
            }
            return found
        }
    }

    // MARK: - Reading rows

    func registeredModel(on connection: PostgresConnection, name: String) async throws -> RegisteredModel? {
        guard let row = try await connection.query(
            "SELECT creation_timestamp, last_updated_timestamp, description FROM registered_models WHERE name = \(name)", logger: logger
        ).collect().first else { return nil }
        let (created, updated, description) = try row.decode((Int64, Int64, String).self)
        var model = RegisteredModel(name: name, creationTimestamp: created, lastUpdatedTimestamp: updated, description: description)
        for tag in try await connection.query("SELECT key, value FROM registered_model_tags WHERE name = \(name)", logger: logger).collect() {
            let (key, value) = try tag.decode((String, String).self)
            model.tags[key] = value
        }
        for alias in try await connection.query("SELECT alias, version FROM registered_model_aliases WHERE name = \(name)", logger: logger).collect() {
            let (key, version) = try alias.decode((String, Int).self)
            model.aliases[key] = version
        }
        let newest = try await connection.query("SELECT max(version) FROM model_versions WHERE name = \(name)", logger: logger).collect().first?.decode(Int?.self)
        if let newest, let found = try await modelVersion(on: connection, name: name, version: newest) { model.latestVersions = [found] }
        return model
    }

    func modelVersion(on connection: PostgresConnection, name: String, version: Int) async throws -> ModelVersion? {
        guard let row = try await connection.query("""
            SELECT creation_timestamp, last_updated_timestamp, description, source, run_id, current_stage FROM model_versions
            WHERE name = \(name) AND version = \(version)
            """, logger: logger).collect().first else { return nil }
        let (created, updated, description, source, runID, stage) = try row.decode((Int64, Int64, String, String, String, String).self)
        var found = ModelVersion(
            name: name, version: version, creationTimestamp: created, lastUpdatedTimestamp: updated, description: description,
            source: source, runID: runID, currentStage: stage
        )
        for tag in try await connection.query(
            "SELECT key, value FROM model_version_tags WHERE name = \(name) AND version = \(version)", logger: logger
        ).collect() {
            let (key, value) = try tag.decode((String, String).self)
            found.tags[key] = value
        }
        found.aliases = try await connection.query(
            "SELECT alias FROM registered_model_aliases WHERE name = \(name) AND version = \(version) ORDER BY alias", logger: logger
        ).collect().map { try $0.decode(String.self) }
        return found
    }

    func requireModel(on connection: PostgresConnection, _ name: String) async throws {
        guard try await firstInt("SELECT count(*) FROM registered_models WHERE name = \(name)", on: connection) > 0 else {
            throw TrackingError.notFound("Registered Model with name=\(name) not found")
        }
    }

    func requireVersion(on connection: PostgresConnection, _ name: String, _ version: Int) async throws {
        guard try await firstInt("SELECT count(*) FROM model_versions WHERE name = \(name) AND version = \(version)", on: connection) > 0 else {
            throw TrackingError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
    }
}
