import Foundation
import LoupeCore
import PostgresNIO

/// Virtual keys, and spend per key or user from the recorded traces, shared by every instance.
extension PostgresTraceStore: KeyStore {
    static let keyColumns = "id, name, key_hash, key_prefix, created_at, expires_at, revoked_at, budget_picos, budget_period, rpm, tpm, models, scopes"

    public func createKey(_ key: VirtualKey) async throws {
        try await withConnection("create key \(key.name)") { connection in
            let created = try await connection.query("""
                INSERT INTO api_keys (id, name, key_hash, key_prefix, created_at, expires_at, revoked_at, budget_picos, budget_period, rpm, tpm, models, scopes)
                VALUES (\(key.id), \(key.name), \(key.keyHash), \(key.keyPrefix), \(key.createdAt.unixMillis), \(key.expiresAt?.unixMillis),
                        \(key.revokedAt?.unixMillis), \(key.budget?.picos), \(key.budgetPeriod.rawValue), \(key.rpm.map(Int32.init)),
                        \(key.tpm.map(Int32.init)), \(key.models), \(key.scopes.map(\.rawValue)))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: self.logger).collect()
            if created.isEmpty { throw KeyError.nameTaken(key.name) }
        }
    }

    public func keys() async throws -> [VirtualKey] {
        try await withConnection("list keys") { connection in
            try await self.keys(on: connection, PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at DESC, id"))
        }
    }

    public func key(id: String) async throws -> VirtualKey? {
        try await withConnection("read key") { connection in
            var query = PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM api_keys WHERE id = $1")
            query.binds.append(id)
            return try await self.keys(on: connection, query).first
        }
    }

    public func key(hash: String) async throws -> VirtualKey? {
        try await withConnection("read key") { connection in
            var query = PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM api_keys WHERE key_hash = $1")
            query.binds.append(hash)
            return try await self.keys(on: connection, query).first
        }
    }

    public func revokeKey(id: String, at date: Date) async throws -> VirtualKey? {
        try await withConnection("revoke key") { connection in
            try await self.execute("UPDATE api_keys SET revoked_at = coalesce(revoked_at, \(date.unixMillis)) WHERE id = \(id)", on: connection)
            var query = PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM api_keys WHERE id = $1")
            query.binds.append(id)
            return try await self.keys(on: connection, query).first
        }
    }

    public func rotateKey(id: String, hash: String, prefix: String) async throws -> VirtualKey? {
        try await withConnection("rotate key") { connection in
            try await self.execute("UPDATE api_keys SET key_hash = \(hash), key_prefix = \(prefix) WHERE id = \(id)", on: connection)
            var query = PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM api_keys WHERE id = $1")
            query.binds.append(id)
            return try await self.keys(on: connection, query).first
        }
    }

    public func spend(of owner: SpendOwner, since date: Date, pending: [String]) async throws -> StoredSpend {
        // One statement, so the sum and the ids it includes are read from one snapshot.
        let query: PostgresQuery = switch owner {
        case .key(let id):
            """
            SELECT coalesce(sum(cost_picos), 0)::int8, coalesce(array_agg(id) FILTER (WHERE id = ANY(\(pending)::text[])), '{}')
            FROM traces WHERE key_id = \(id) AND created_at >= \(date.unixMillis)
            """
        case .user(let user):
            """
            SELECT coalesce(sum(cost_picos), 0)::int8, coalesce(array_agg(id) FILTER (WHERE id = ANY(\(pending)::text[])), '{}')
            FROM traces WHERE user_id = \(user) AND created_at >= \(date.unixMillis)
            """
        }
        return try await withConnection("read spend") { connection in
            let rows = try await connection.query(query, logger: self.logger).collect()
            guard let row = rows.first else { return StoredSpend(spent: .zero, included: []) }
            let (spent, included) = try row.decode((Int64, [String]).self)
            return StoredSpend(spent: USD(picos: spent), included: Set(included))
        }
    }

    private func keys(on connection: PostgresConnection, _ query: PostgresQuery) async throws -> [VirtualKey] {
        var keys: [VirtualKey] = []
        for row in try await connection.query(query, logger: logger).collect() {
            let (id, name, hash, prefix, created, expires, revoked, budget, period, rpm, tpm, models, scopes) = try row.decode(
                (String, String, String, String, Int64, Int64?, Int64?, Int64?, String, Int32?, Int32?, [String], [String]).self
            )
            func date(_ millis: Int64?) -> Date? { millis.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
            keys.append(VirtualKey(
                id: id, name: name, keyHash: hash, keyPrefix: prefix, createdAt: date(created)!, expiresAt: date(expires), revokedAt: date(revoked),
                budget: budget.map(USD.init(picos:)), budgetPeriod: VirtualKey.BudgetPeriod(rawValue: period) ?? .month, rpm: rpm.map(Int.init),
                tpm: tpm.map(Int.init), models: models, scopes: scopes.compactMap(VirtualKey.Scope.init(rawValue:))
            ))
        }
        return keys
    }
}
