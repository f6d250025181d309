import Foundation
import GRDB
import LoupeCore

/// The prompt registry in the same SQLite file as the traces: every part of Loupe shares one store.
extension SQLiteTraceStore: PromptStore {
    static let createPrompts = """
        CREATE TABLE prompt_versions (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,             -- from 1, per name
            type TEXT NOT NULL,                   -- text or chat
            template TEXT NOT NULL,               -- JSON: a string, or [{role, content}]
            config TEXT NOT NULL,                 -- JSON object
            tags TEXT NOT NULL,                   -- JSON array
            commit_message TEXT,
            content_hash TEXT NOT NULL,           -- hex SHA-256 of the canonical content
            created_at INTEGER NOT NULL,          -- Unix milliseconds
            PRIMARY KEY (name, version)
        ) STRICT;
        CREATE TABLE prompt_labels (
            name TEXT NOT NULL,
            label TEXT NOT NULL,                  -- never 'latest', which is the newest version
            version INTEGER NOT NULL,
            PRIMARY KEY (name, label),
            FOREIGN KEY (name, version) REFERENCES prompt_versions(name, version)
        ) STRICT;
        CREATE TABLE prompt_revision (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            revision INTEGER NOT NULL             -- bumped by every change, for caches
        ) STRICT;
        INSERT INTO prompt_revision (id, revision) VALUES (1, 0);
        """

    public func createPromptVersion(
        _ draft: PromptDraft, contentHash: String, onlyIfChanged: Bool
    ) async throws -> (PromptVersion, created: Bool) {
        try PromptError.validate(name: draft.name)
        for label in draft.labels { try PromptError.validate(label: label) }
        return try await writer.write { db in
            let newest = try Row.fetchOne(db, sql: """
                SELECT version, content_hash FROM prompt_versions WHERE name = ? ORDER BY version DESC LIMIT 1
                """, arguments: [draft.name])
            let newestVersion: Int = newest?["version"] ?? 0
            if onlyIfChanged, let newest, newest["content_hash"] == contentHash {
                return (try Self.promptVersion(db, name: draft.name, version: newestVersion)!, false)
            }
            let version = newestVersion + 1
            try db.execute(sql: """
                INSERT INTO prompt_versions (name, version, type, template, config, tags, commit_message, content_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    draft.name, version, draft.template.type, draft.template.json.jsonText, JSONValue.object(draft.config).jsonText,
                    JSONValue.array(draft.tags.map(JSONValue.string)).jsonText, draft.commitMessage, contentHash, Date().unixMillis,
                ])
            for label in draft.labels {
                try db.execute(sql: "INSERT OR REPLACE INTO prompt_labels (name, label, version) VALUES (?, ?, ?)", arguments: [draft.name, label, version])
            }
            try db.execute(sql: "UPDATE prompt_revision SET revision = revision + 1")
            return (try Self.promptVersion(db, name: draft.name, version: version)!, true)
        }
    }

    public func promptVersion(name: String, _ selector: PromptSelector) async throws -> PromptVersion? {
        try await writer.read { db in
            let newest = try Int.fetchOne(db, sql: "SELECT max(version) FROM prompt_versions WHERE name = ?", arguments: [name])
            guard let newest else { return nil }
            let version: Int?
            switch selector {
            case .version(let number): version = number
            case .label("latest"): version = newest
            case .label(let label):
                version = try Int.fetchOne(db, sql: "SELECT version FROM prompt_labels WHERE name = ? AND label = ?", arguments: [name, label])
            case .deployed:
                version = try Int.fetchOne(db, sql: "SELECT version FROM prompt_labels WHERE name = ? AND label = 'production'", arguments: [name]) ?? newest
            }
            return try version.flatMap { try Self.promptVersion(db, name: name, version: $0) }
        }
    }

    public func prompts() async throws -> [PromptSummary] {
        try await writer.read { db in
            var summaries: [String: PromptSummary] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT name, version, type, tags, created_at FROM prompt_versions ORDER BY name, version")
            while let row = try rows.next() {
                let name: String = row["name"], version: Int = row["version"], millis: Int64 = row["created_at"]
                var summary = summaries[name] ?? PromptSummary(name: name, type: "", versions: [], labels: [:], tags: [], updatedAt: .distantPast)
                summary.versions.append(version)
                summary.type = row["type"]
                summary.tags = Self.strings(fromJSON: row["tags"])
                summary.labels["latest"] = version
                summary.updatedAt = Date(timeIntervalSince1970: Double(millis) / 1000)
                summaries[name] = summary
            }
            for row in try Row.fetchAll(db, sql: "SELECT name, label, version FROM prompt_labels") {
                summaries[row["name"]]?.labels[row["label"]] = row["version"]
            }
            return summaries.values.sorted { $0.name < $1.name }
        }
    }

    public func setPromptLabels(name: String, version: Int, labels: [String]) async throws -> PromptVersion? {
        for label in labels { try PromptError.validate(label: label) }
        return try await writer.write { db in
            guard try Self.promptVersion(db, name: name, version: version) != nil else { return nil }
            try db.execute(sql: "DELETE FROM prompt_labels WHERE name = ? AND version = ?", arguments: [name, version])
            for label in labels {
                try db.execute(sql: "INSERT OR REPLACE INTO prompt_labels (name, label, version) VALUES (?, ?, ?)", arguments: [name, label, version])
            }
            try db.execute(sql: "UPDATE prompt_revision SET revision = revision + 1")
            return try Self.promptVersion(db, name: name, version: version)
        }
    }

    public func promptsRevision() async throws -> Int64 {
        try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT revision FROM prompt_revision") ?? 0 }
    }

    static func promptVersion(_ db: Database, name: String, version: Int) throws -> PromptVersion? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM prompt_versions WHERE name = ? AND version = ?", arguments: [name, version])
        else { return nil }
        var labels = try String.fetchAll(db, sql: "SELECT label FROM prompt_labels WHERE name = ? AND version = ? ORDER BY label", arguments: [name, version])
        if try Int.fetchOne(db, sql: "SELECT max(version) FROM prompt_versions WHERE name = ?", arguments: [name]) == version {
            labels.insert("latest", at: 0)
        }
        let type: String = row["type"]
        let millis: Int64 = row["created_at"]
        guard let template = JSONValue.parse(row["template"] as String).flatMap({ PromptTemplate(type: type, json: $0) }) else {
            throw DatabaseError(message: "prompt \(name) version \(version) has a template that is not a \(type) template")
        }
        var config: [String: JSONValue] = [:]
        if case .object(let members)? = JSONValue.parse(row["config"] as String) { config = members }
        return PromptVersion(
            name: name, version: version, template: template, config: config, tags: strings(fromJSON: row["tags"]),
            labels: labels, commitMessage: row["commit_message"], contentHash: row["content_hash"],
            createdAt: Date(timeIntervalSince1970: Double(millis) / 1000)
        )
    }
}
