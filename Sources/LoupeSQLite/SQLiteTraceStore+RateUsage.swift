import Foundation
import GRDB
import LoupeCore

/// Rate-limit usage shared by instances on one SQLite file. SQLite has one writer at a time, so ids are
/// assigned in commit order and an id cursor never passes a row that is not yet visible.
extension SQLiteTraceStore: RateUsageStore {
    static let createRateUsage = """
        CREATE TABLE rate_usage (
            id INTEGER PRIMARY KEY AUTOINCREMENT,   -- AUTOINCREMENT: never reused after pruning, so cursors only move on
            instance TEXT NOT NULL,
            bucket TEXT NOT NULL,
            amount REAL NOT NULL,
            created_at INTEGER NOT NULL             -- Unix milliseconds
        ) STRICT;
        CREATE INDEX rate_usage_created ON rate_usage(created_at);
        """

    public func publishRateUsage(instance: String, usage: [String: Double]) async throws {
        guard !usage.isEmpty else { return }
        let now = Date().unixMillis
        try await writer.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO rate_usage (instance, bucket, amount, created_at) VALUES (?, ?, ?, ?)")
            for (bucket, amount) in usage { try insert.execute(arguments: [instance, bucket, amount, now]) }
            try db.execute(sql: "DELETE FROM rate_usage WHERE created_at < ?", arguments: [now - RateUsage.retentionMillis])
        }
    }

    public func rateUsage(excluding instance: String, after cursor: Int64) async throws -> RateUsage.Page {
        let now = Date().unixMillis
        return try await writer.read { db in
            var page = RateUsage.Page(usage: [], cursor: cursor)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, instance, bucket, amount, created_at FROM rate_usage WHERE id > ? AND created_at >= ? ORDER BY id",
                arguments: [cursor, now - RateUsage.windowMillis]
            )
            while let row = try rows.next() {
                // The instance's own rows move the cursor too, so they are not scanned again.
                page.cursor = row["id"]
                guard row["instance"] as String != instance else { continue }
                let created: Int64 = row["created_at"]
                page.usage.append(RateUsage(bucket: row["bucket"], amount: row["amount"], age: .milliseconds(max(0, now - created))))
            }
            return page
        }
    }
}
