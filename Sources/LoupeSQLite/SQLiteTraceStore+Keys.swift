import Foundation
import GRDB
import LoupeCore

/// Virtual keys, and spend per key or user from the recorded traces.
extension SQLiteTraceStore: KeyStore {
    static let createKeys = """
        ALTER TABLE traces ADD COLUMN cache_write_input_tokens INTEGER;
        ALTER TABLE traces ADD COLUMN key_id TEXT;
        ALTER TABLE traces ADD COLUMN key_name TEXT;
        CREATE INDEX traces_key ON traces(key_id, created_at) WHERE key_id IS NOT NULL;
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL UNIQUE,        -- SHA-256 of the key; the key itself is never stored
            key_prefix TEXT NOT NULL,
            created_at INTEGER NOT NULL,          -- Unix milliseconds
            expires_at INTEGER,
            revoked_at INTEGER,
            budget_picos INTEGER,
            budget_period TEXT NOT NULL,
            rpm INTEGER,
            tpm INTEGER,
            models TEXT NOT NULL,                 -- JSON array; empty allows every model
            scopes TEXT NOT NULL                  -- JSON array
        ) STRICT;
        """

    /// Routing facts on each trace: the split variant, the shadow's primary call, cache hits and failed attempts.
    static let addTraceRouting = """
        ALTER TABLE traces ADD COLUMN variant TEXT;
        ALTER TABLE traces ADD COLUMN parent_trace_id TEXT;
        ALTER TABLE traces ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE traces ADD COLUMN cost_saved_picos INTEGER;
        ALTER TABLE traces ADD COLUMN attempts TEXT;              -- JSON array of failed tries
        CREATE INDEX traces_parent ON traces(parent_trace_id) WHERE parent_trace_id IS NOT NULL;
        CREATE INDEX traces_variant ON traces(variant, created_at) WHERE variant IS NOT NULL;
        """

    public func createKey(_ key: VirtualKey) async throws {
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE name = ?", arguments: [key.name]) != nil { throw KeyError.nameTaken(key.name) }
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, key_hash, key_prefix, created_at, expires_at, revoked_at, budget_picos, budget_period, rpm, tpm, models, scopes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    key.id, key.name, key.keyHash, key.keyPrefix, key.createdAt.unixMillis, key.expiresAt?.unixMillis, key.revokedAt?.unixMillis,
                    key.budget?.picos, key.budgetPeriod.rawValue, key.rpm, key.tpm, Self.jsonArray(key.models), Self.jsonArray(key.scopes.map(\.rawValue)),
                ])
        }
    }

    public func keys() async throws -> [VirtualKey] {
        try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at DESC, id").map(Self.key(from:)) }
    }

    public func key(id: String) async throws -> VirtualKey? {
        try await writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.key(from:)) }
    }

    public func key(hash: String) async throws -> VirtualKey? {
        try await writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE key_hash = ?", arguments: [hash]).map(Self.key(from:)) }
    }

    public func revokeKey(id: String, at date: Date) async throws -> VirtualKey? {
        try await writer.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", arguments: [date.unixMillis, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.key(from:))
        }
    }

    public func rotateKey(id: String, hash: String, prefix: String) async throws -> VirtualKey? {
        try await writer.write { db in
            try db.execute(sql: "UPDATE api_keys SET key_hash = ?, key_prefix = ? WHERE id = ?", arguments: [hash, prefix, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.key(from:))
        }
    }

    public func spend(of owner: SpendOwner, since date: Date, pending: [String]) async throws -> StoredSpend {
        let (column, value) = switch owner {
        case .key(let id): ("key_id", id)
        case .user(let user): ("user", user)
        }
        // One statement, so the sum and the ids it includes are read at the same instant.
        return try await writer.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT coalesce(sum(cost_picos), 0) AS spent,
                       json_group_array(id) FILTER (WHERE id IN (SELECT value FROM json_each(?))) AS included
                FROM traces WHERE \(column) = ? AND created_at >= ?
                """, arguments: [Self.jsonArray(pending), value, date.unixMillis])
            let included: String? = row?["included"]
            return StoredSpend(spent: USD(picos: row?["spent"] ?? 0), included: Set(Self.strings(fromJSON: included ?? "[]")))
        }
    }

    static func key(from row: Row) -> VirtualKey {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        return VirtualKey(
            id: row["id"], name: row["name"], keyHash: row["key_hash"], keyPrefix: row["key_prefix"], createdAt: date("created_at")!,
            expiresAt: date("expires_at"), revokedAt: date("revoked_at"), budget: (row["budget_picos"] as Int64?).map(USD.init(picos:)),
            budgetPeriod: VirtualKey.BudgetPeriod(rawValue: row["budget_period"]) ?? .month, rpm: row["rpm"], tpm: row["tpm"],
            models: strings(fromJSON: row["models"]), scopes: strings(fromJSON: row["scopes"]).compactMap(VirtualKey.Scope.init(rawValue:))
        )
    }
}
