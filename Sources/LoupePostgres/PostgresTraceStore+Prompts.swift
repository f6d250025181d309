import Foundation
import LoupeCore
import PostgresNIO

/// The prompt registry in the shared database: every instance serves the same versions and labels.
extension PostgresTraceStore: PromptStore {
    static let createPrompts = [
        """
        CREATE TABLE prompt_versions (
            name TEXT COLLATE "C" NOT NULL,
            version INTEGER NOT NULL,               -- from 1, per name
            type TEXT NOT NULL,                     -- text or chat
            template TEXT NOT NULL,                 -- JSON: a string, or [{role, content}]
            config TEXT NOT NULL,                   -- JSON object
            tags TEXT[] NOT NULL,
            commit_message TEXT,
            content_hash TEXT NOT NULL,             -- hex SHA-256 of the canonical content
            created_at BIGINT NOT NULL,             -- Unix milliseconds
            PRIMARY KEY (name, version)
        )
        """,
        """
        CREATE TABLE prompt_labels (
            name TEXT COLLATE "C" NOT NULL,
            label TEXT NOT NULL,                    -- never 'latest', which is the newest version
            version INTEGER NOT NULL,
            PRIMARY KEY (name, label),
            FOREIGN KEY (name, version) REFERENCES prompt_versions (name, version)
        )
        """,
        // A sequence rather than a counter row: reading it never waits on a writer.
        "CREATE SEQUENCE prompt_revision",
    ]

    public func createPromptVersion(
        _ draft: PromptDraft, contentHash: String, onlyIfChanged: Bool
    ) async throws -> (PromptVersion, created: Bool) {
        try PromptError.validate(name: draft.name)
        for label in draft.labels { try PromptError.validate(label: label) }
        return try await withConnection("create a version of prompt \(draft.name)") { connection in
            try await self.transaction(on: connection) {
                // One writer per prompt name at a time, so that two pushes cannot both take the same number.
                try await self.execute("SELECT pg_advisory_xact_lock(hashtext(\(draft.name)))", on: connection)
                let newest = try await connection.query(
                    "SELECT version, content_hash FROM prompt_versions WHERE name = \(draft.name) ORDER BY version DESC LIMIT 1",
                    logger: self.logger
                ).collect().first?.decode((Int, String).self)
                if onlyIfChanged, let newest, newest.1 == contentHash {
                    return (try await self.promptVersion(on: connection, name: draft.name, version: newest.0)!, false)
                }
                let version = (newest?.0 ?? 0) + 1
                let config = JSONValue.object(draft.config).jsonText, template = draft.template.json.jsonText
                try await self.execute("""
                    INSERT INTO prompt_versions (name, version, type, template, config, tags, commit_message, content_hash, created_at)
                    VALUES (\(draft.name), \(version), \(draft.template.type), \(template), \(config), \(draft.tags),
                            \(draft.commitMessage), \(contentHash), \(Date().unixMillis))
                    """, on: connection)
                for label in draft.labels {
                    try await self.execute("""
                        INSERT INTO prompt_labels (name, label, version) VALUES (\(draft.name), \(label), \(version))
                        ON CONFLICT (name, label) DO UPDATE SET version = EXCLUDED.version
                        """, on: connection)
                }
                try await self.execute("SELECT nextval('prompt_revision')", on: connection)
                return (try await self.promptVersion(on: connection, name: draft.name, version: version)!, true)
            }
        }
    }

    public func promptVersion(name: String, _ selector: PromptSelector) async throws -> PromptVersion? {
        try await withConnection("read prompt \(name)") { connection in
            let newest = try await connection.query("SELECT max(version) FROM prompt_versions WHERE name = \(name)", logger: self.logger)
                .collect().first?.decode(Int?.self)
            guard let newest else { return nil }
            let version: Int?
            switch selector {
            case .version(let number): version = number
            case .label("latest"): version = newest
            case .label(let label): version = try await self.labelledVersion(on: connection, name: name, label: label)
            case .deployed: version = try await self.labelledVersion(on: connection, name: name, label: "production") ?? newest
            }
            guard let version else { return nil }
            return try await self.promptVersion(on: connection, name: name, version: version)
        }
    }

    public func prompts() async throws -> [PromptSummary] {
        try await withConnection("list prompts") { connection in
            var summaries: [String: PromptSummary] = [:]
            let versions = try await connection.query(
                "SELECT name, version, type, tags, created_at FROM prompt_versions ORDER BY name, version", logger: self.logger
            ).collect()
            for row in versions {
                let (name, version, type, tags, millis) = try row.decode((String, Int, String, [String], Int64).self)
                var summary = summaries[name] ?? PromptSummary(name: name, type: type, versions: [], labels: [:], tags: [], updatedAt: .distantPast)
                summary.versions.append(version)
                summary.type = type
                summary.tags = tags
                summary.labels["latest"] = version
                summary.updatedAt = Date(timeIntervalSince1970: Double(millis) / 1000)
                summaries[name] = summary
            }
            for row in try await connection.query("SELECT name, label, version FROM prompt_labels", logger: self.logger).collect() {
                let (name, label, version) = try row.decode((String, String, Int).self)
                summaries[name]?.labels[label] = version
            }
            return summaries.values.sorted { $0.name < $1.name }
        }
    }

    public func setPromptLabels(name: String, version: Int, labels: [String]) async throws -> PromptVersion? {
        for label in labels { try PromptError.validate(label: label) }
        return try await withConnection("label prompt \(name) version \(version)") { connection in
            try await self.transaction(on: connection) {
                try await self.execute("SELECT pg_advisory_xact_lock(hashtext(\(name)))", on: connection)
                guard try await self.promptVersion(on: connection, name: name, version: version) != nil else { return nil }
                try await self.execute("DELETE FROM prompt_labels WHERE name = \(name) AND version = \(version)", on: connection)
                for label in labels {
                    try await self.execute("""
                        INSERT INTO prompt_labels (name, label, version) VALUES (\(name), \(label), \(version))
                        ON CONFLICT (name, label) DO UPDATE SET version = EXCLUDED.version
                        """, on: connection)
                }
                try await self.execute("SELECT nextval('prompt_revision')", on: connection)
                return try await self.promptVersion(on: connection, name: name, version: version)
            }
        }
    }

    public func promptsRevision() async throws -> Int64 {
        try await withConnection("read the prompt revision") { connection in
            // last_value with is_called: how many changes there have been, visible to every session.
            try await connection.query(
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM prompt_revision", logger: self.logger
            ).collect().first?.decode(Int64.self) ?? 0
        }
    }

    private func labelledVersion(on connection: PostgresConnection, name: String, label: String) async throws -> Int? {
        try await connection.query("SELECT version FROM prompt_labels WHERE name = \(name) AND label = \(label)", logger: logger)
            .collect().first?.decode(Int.self)
    }

    private func promptVersion(on connection: PostgresConnection, name: String, version: Int) async throws -> PromptVersion? {
        let rows = try await connection.query("""
            SELECT type, template, config, tags, commit_message, content_hash, created_at,
                   (SELECT max(version) FROM prompt_versions WHERE name = \(name)) AS newest,
                   ARRAY(SELECT label FROM prompt_labels WHERE name = \(name) AND version = \(version) ORDER BY label) AS labels
            FROM prompt_versions WHERE name = \(name) AND version = \(version)
            """, logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (type, templateText, configText, tags, commitMessage, contentHash, millis, newest, stored) =
            try row.decode((String, String, String, [String], String?, String, Int64, Int, [String]).self)
        guard let template = JSONValue.parse(templateText).flatMap({ PromptTemplate(type: type, json: $0) }) else {
            throw PostgresStoreError(operation: "read prompt \(name)", endpoint: endpoint, reason: "version \(version) has a template that is not a \(type) template")
        }
        var config: [String: JSONValue] = [:]
        if case .object(let members)? = JSONValue.parse(configText) { config = members }
        return PromptVersion(
            name: name, version: version, template: template, config: config, tags: tags,
            labels: (newest == version ? ["latest"] : []) + stored, commitMessage: commitMessage, contentHash: contentHash,
            createdAt: Date(timeIntervalSince1970: Double(millis) / 1000)
        )
    }
}
