import Foundation
import GRDB
import LoupeCore

/// The MLflow model registry in the same SQLite file as the runs that made the models.
extension SQLiteTraceStore: ModelRegistryStore {
    static let createModelRegistry = """
        CREATE TABLE registered_models (
            name TEXT PRIMARY KEY,
            creation_timestamp INTEGER NOT NULL,  -- Unix milliseconds
            last_updated_timestamp INTEGER NOT NULL,
            description TEXT NOT NULL
        ) STRICT;
        CREATE TABLE registered_model_tags (
            name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, key)
        ) STRICT;
        CREATE TABLE model_versions (
            name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
            version INTEGER NOT NULL,
            creation_timestamp INTEGER NOT NULL,
            last_updated_timestamp INTEGER NOT NULL,
            description TEXT NOT NULL,
            source TEXT NOT NULL,
            run_id TEXT NOT NULL,
            current_stage TEXT NOT NULL,
            PRIMARY KEY (name, version)
        ) STRICT;
        CREATE TABLE model_version_tags (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, version, key),
            FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
        ) STRICT;
        CREATE TABLE registered_model_aliases (
            name TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (name, alias),
            FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
        ) STRICT;
        """

    public func createRegisteredModel(name: String, description: String, tags: [String: String]) async throws -> RegisteredModel {
        guard !name.isEmpty else { throw TrackingError.invalidParameter("Registered model name cannot be empty.") }
        return try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM registered_models WHERE name = ?", arguments: [name]) != nil {
                throw TrackingError.alreadyExists("Registered Model (name=\(name)) already exists.")
            }
            let now = Date().unixMillis
            try db.execute(sql: "INSERT INTO registered_models VALUES (?, ?, ?, ?)", arguments: [name, now, now, description])
            for (key, value) in tags {
                try db.execute(sql: "INSERT INTO registered_model_tags VALUES (?, ?, ?)", arguments: [name, key, value])
            }
            return try Self.registeredModel(db, name: name)!
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel? {
        try await writer.read { db in try Self.registeredModel(db, name: name) }
    }

    public func searchRegisteredModels(filter: SearchFilter, order: [SearchOrder], maxResults: Int, pageToken: String?) async throws -> TrackingPage<RegisteredModel> {
        let (sql, arguments, offset) = try Self.searchSQL("SELECT name FROM registered_models WHERE 1 = 1", .registeredModels, filter, order, maxResults, pageToken)
        return try await writer.read { db in
            let names = try String.fetchAll(db, sql: sql, arguments: arguments)
            let models = try names.prefix(maxResults).compactMap { try Self.registeredModel(db, name: $0) }
            return TrackingPage(items: models, nextPageToken: names.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        guard !newName.isEmpty else { throw TrackingError.invalidParameter("Registered model name cannot be empty.") }
        return try await writer.write { db in
            try Self.requireModel(db, name)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM registered_models WHERE name = ?", arguments: [newName]) != nil {
                throw TrackingError.alreadyExists("Registered Model (name=\(newName)) already exists.")
            }
            try db.execute(sql: "UPDATE registered_models SET name = ?, last_updated_timestamp = ? WHERE name = ?", arguments: [newName, Date().unixMillis, name])
            return try Self.registeredModel(db, name: newName)!
        }
    }

    public func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel {
        try await writer.write { db in
            try Self.requireModel(db, name)
            try db.execute(sql: "UPDATE registered_models SET description = ?, last_updated_timestamp = ? WHERE name = ?", arguments: [description, Date().unixMillis, name])
            return try Self.registeredModel(db, name: name)!
        }
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await writer.write { db in
            try Self.requireModel(db, name)
            try db.execute(sql: "DELETE FROM registered_models WHERE name = ?", arguments: [name])
        }
    }

    public func setRegisteredModelTag(name: String, key: String, value: String?) async throws {
        try await writer.write { db in
            try Self.requireModel(db, name)
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO registered_model_tags VALUES (?, ?, ?)", arguments: [name, key, value])
            } else {
                try db.execute(sql: "DELETE FROM registered_model_tags WHERE name = ? AND key = ?", arguments: [name, key])
            }
        }
    }

    public func createModelVersion(name: String, source: String, runID: String, description: String, tags: [String: String]) async throws -> ModelVersion {
        try await writer.write { db in
            try Self.requireModel(db, name)
            let version = (try Int.fetchOne(db, sql: "SELECT max(version) FROM model_versions WHERE name = ?", arguments: [name]) ?? 0) + 1
            let now = Date().unixMillis
            try db.execute(sql: "INSERT INTO model_versions VALUES (?, ?, ?, ?, ?, ?, ?, 'None')", arguments: [name, version, now, now, description, source, runID])
            for (key, value) in tags {
                try db.execute(sql: "INSERT INTO model_version_tags VALUES (?, ?, ?, ?)", arguments: [name, version, key, value])
            }
            try db.execute(sql: "UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?", arguments: [now, name])
            return try Self.modelVersion(db, name: name, version: version)!
        }
    }

    public func modelVersion(name: String, version: Int) async throws -> ModelVersion? {
        try await writer.read { db in try Self.modelVersion(db, name: name, version: version) }
    }

    public func searchModelVersions(filter: SearchFilter, order: [SearchOrder], maxResults: Int, pageToken: String?) async throws -> TrackingPage<ModelVersion> {
        let (sql, arguments, offset) = try Self.searchSQL("SELECT name, version FROM model_versions WHERE 1 = 1", .modelVersions, filter, order, maxResults, pageToken)
        return try await writer.read { db in
            let keys = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let versions = try keys.prefix(maxResults).compactMap { try Self.modelVersion(db, name: $0["name"], version: $0["version"]) }
            return TrackingPage(items: versions, nextPageToken: keys.count > maxResults ? PageToken.make(offset: offset + maxResults) : nil)
        }
    }

    public func updateModelVersion(name: String, version: Int, description: String) async throws -> ModelVersion {
        try await writer.write { db in
            try Self.requireVersion(db, name, version)
            try db.execute(sql: "UPDATE model_versions SET description = ?, last_updated_timestamp = ? WHERE name = ? AND version = ?", arguments: [description, Date().unixMillis, name, version])
            return try Self.modelVersion(db, name: name, version: version)!
        }
    }

    public func deleteModelVersion(name: String, version: Int) async throws {
        try await writer.write { db in
            try Self.requireVersion(db, name, version)
            try db.execute(sql: "DELETE FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version])
        }
    }

    public func transitionModelVersion(name: String, version: Int, stage: String, archiveExisting: Bool) async throws -> ModelVersion {
        try await writer.write { db in
            try Self.requireVersion(db, name, version)
            let now = Date().unixMillis
            if archiveExisting, stage == "Staging" || stage == "Production" {
                try db.execute(sql: """
                    UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ? WHERE name = ? AND version <> ? AND current_stage = ?
                    """, arguments: [now, name, version, stage])
            }
            try db.execute(sql: "UPDATE model_versions SET current_stage = ?, last_updated_timestamp = ? WHERE name = ? AND version = ?", arguments: [stage, now, name, version])
            return try Self.modelVersion(db, name: name, version: version)!
        }
    }

    public func setModelVersionTag(name: String, version: Int, key: String, value: String?) async throws {
        try await writer.write { db in
            try Self.requireVersion(db, name, version)
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO model_version_tags VALUES (?, ?, ?, ?)", arguments: [name, version, key, value])
            } else {
                try db.execute(sql: "DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", arguments: [name, version, key])
            }
        }
    }

    public func setAlias(name: String, alias: String, version: Int) async throws {
        try await writer.write { db in
            try Self.requireVersion(db, name, version)
            try db.execute(sql: "INSERT OR REPLACE INTO registered_model_aliases VALUES (?, ?, ?)", arguments: [name, alias, version])
        }
    }

    public func deleteAlias(name: String, alias: String) async throws {
        try await writer.write { db in
            try Self.requireModel(db, name)
            try db.execute(sql: "DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", arguments: [name, alias])
        }
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try await writer.read { db in
            guard let version = try Int.fetchOne(db, sql: "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", arguments: [name, alias]),
                  let found = try Self.modelVersion(db, name: name, version: version)
            else { throw TrackingError.invalidParameter("Registered model alias \(alias) not found.") }
            return found
        }
    }

    // MARK: - Reading rows

    static func registeredModel(_ db: Database, name: String) throws -> RegisteredModel? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM registered_models WHERE name = ?", arguments: [name]) else { return nil }
        var model = RegisteredModel(
            name: name, creationTimestamp: row["creation_timestamp"], lastUpdatedTimestamp: row["last_updated_timestamp"], description: row["description"]
        )
        for tag in try Row.fetchAll(db, sql: "SELECT key, value FROM registered_model_tags WHERE name = ?", arguments: [name]) { model.tags[tag["key"]] = tag["value"] }
        for alias in try Row.fetchAll(db, sql: "SELECT alias, version FROM registered_model_aliases WHERE name = ?", arguments: [name]) {
            model.aliases[alias["alias"]] = alias["version"]
        }
        if let newest = try Int.fetchOne(db, sql: "SELECT max(version) FROM model_versions WHERE name = ?", arguments: [name]) {
            model.latestVersions = try modelVersion(db, name: name, version: newest).map { [$0] } ?? []
        }
        return model
    }

    static func modelVersion(_ db: Database, name: String, version: Int) throws -> ModelVersion? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version]) else { return nil }
        var found = ModelVersion(
            name: name, version: version, creationTimestamp: row["creation_timestamp"], lastUpdatedTimestamp: row["last_updated_timestamp"],
            description: row["description"], source: row["source"], runID: row["run_id"], currentStage: row["current_stage"]
        )
        for tag in try Row.fetchAll(db, sql: "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ?", arguments: [name, version]) {
            found.tags[tag["key"]] = tag["value"]
        }
        found.aliases = try String.fetchAll(db, sql: "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias", arguments: [name, version])
        return found
    }

    static func requireModel(_ db: Database, _ name: String) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM registered_models WHERE name = ?", arguments: [name]) != nil else {
            throw TrackingError.notFound("Registered Model with name=\(name) not found")
        }
    }

    static func requireVersion(_ db: Database, _ name: String, _ version: Int) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version]) != nil else {
            throw TrackingError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
    }
}
