import LoupeCore
import PostgresNIO

/// Rate-limit usage shared by every instance on one database.
///
/// Readers follow an id cursor, which is only safe if ids become visible in order: with concurrent
/// inserts, a sequence hands out 10 to one writer and 11 to another, 11 commits first, a reader moves
/// its cursor past it, and 10 is never read. So inserts take a transaction-level advisory lock first:
/// one publishes at a time, each commits before the next takes its ids, and every id below a visible one
/// is visible too. It is held for one short statement a second per instance, never across round trips.
extension PostgresTraceStore: RateUsageStore {
    /// The advisory lock that serialises publishes ("LoupeRat").
    static let rateUsageLockKey: Int64 = 0x4C6F_7570_6552_6174

    static let createRateUsage = [
        """
        CREATE TABLE rate_usage (
            id BIGSERIAL PRIMARY KEY, instance TEXT NOT NULL, bucket TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL,
            created_at BIGINT NOT NULL -- Unix milliseconds, by the server's clock
        )
        """,
        "CREATE INDEX rate_usage_created ON rate_usage (created_at)",
    ]

    public func publishRateUsage(instance: String, usage: [String: Double]) async throws {
        guard !usage.isEmpty else { return }
        let buckets = Array(usage.keys)
        let amounts = buckets.map { usage[$0] ?? 0 }
        try await withConnection("publish rate-limit usage") { connection in
            // The lock is taken before any row draws its id (the join needs it first), and released at commit.
            try await self.execute("""
                WITH serial AS (SELECT pg_advisory_xact_lock(\(Self.rateUsageLockKey)))
                INSERT INTO rate_usage (instance, bucket, amount, created_at)
                SELECT \(instance), usage.bucket, usage.amount, (extract(epoch FROM clock_timestamp()) * 1000)::int8
                FROM serial, unnest(\(buckets)::text[], \(amounts)::float8[]) AS usage (bucket, amount)
                """, on: connection)
            // Its own statement, outside the lock: concurrent prunes only wait for each other's rows.
            try await self.execute(
                "DELETE FROM rate_usage WHERE created_at < (extract(epoch FROM now()) * 1000)::int8 - \(RateUsage.retentionMillis)", on: connection
            )
        }
    }

    public func rateUsage(excluding instance: String, after cursor: Int64) async throws -> RateUsage.Page {
        try await withConnection("read rate-limit usage") { connection in
            let rows = try await connection.query("""
                SELECT id, instance, bucket, amount, (extract(epoch FROM now()) * 1000)::int8 - created_at
                FROM rate_usage WHERE id > \(cursor) AND created_at >= (extract(epoch FROM now()) * 1000)::int8 - \(RateUsage.windowMillis)
                ORDER BY id
                """, logger: self.logger).collect()
            var page = RateUsage.Page(usage: [], cursor: cursor)
            for row in rows {
                let (id, writer, bucket, amount, age) = try row.decode((Int64, String, String, Double, Int64).self)
                // The instance's own rows move the cursor too, so they are not scanned again.
                page.cursor = id
                guard writer != instance else { continue }
                page.usage.append(RateUsage(bucket: bucket, amount: amount, age: .milliseconds(max(0, age))))
            }
            return page
        }
    }
}
