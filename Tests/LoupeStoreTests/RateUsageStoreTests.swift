import Foundation
import LoupeCore
import Testing

/// The `RateUsageStore` contract (rate-limit usage shared between instances), on every backend.
@Suite struct RateUsageStoreTests {
    /// The usage `instance` reads after `cursor`, summed per bucket, and the next cursor.
    static func read(_ store: any RateUsageStore, _ instance: String, after cursor: Int64) async throws -> ([String: Double], Int64) {
        let page = try await store.rateUsage(excluding: instance, after: cursor)
        for use in page.usage { #expect(use.age >= .zero && use.age < .seconds(30), "age \(use.age) of \(use.bucket)") }
        return (page.usage.reduce(into: [:]) { $0[$1.bucket, default: 0] += $1.amount }, page.cursor)
    }

    @Test(arguments: StoreBackend.tested)
    func anInstanceReadsEachPeersUsageOnceAndNeverItsOwn(_ backend: StoreBackend) async throws {
        try await backend.withStore { traces in
            let store = try #require(traces as? any RateUsageStore)
            #expect(try await Self.read(store, "a", after: 0) == ([:], 0))
            try await store.publishRateUsage(instance: "a", usage: ["key-rpm:k1": 3, "model-tpm:gpt-4o-mini": 120])
            try await store.publishRateUsage(instance: "b", usage: ["key-rpm:k1": 2])
            try await store.publishRateUsage(instance: "c", usage: [:])  // nothing to publish stores nothing

            let (seenByA, cursorA) = try await Self.read(store, "a", after: 0)
            #expect(seenByA == ["key-rpm:k1": 2])
            let (seenByB, cursorB) = try await Self.read(store, "b", after: 0)
            #expect(seenByB == ["key-rpm:k1": 3, "model-tpm:gpt-4o-mini": 120])
            // Read once: nothing new until someone publishes again.
            let (again, sameCursor) = try await Self.read(store, "a", after: cursorA)
            #expect(again.isEmpty && sameCursor == cursorA)

            try await store.publishRateUsage(instance: "b", usage: ["key-rpm:k1": 1, "key-tpm:k1": 40])
            try await store.publishRateUsage(instance: "a", usage: ["key-rpm:k1": 5])
            let (newForA, nextA) = try await Self.read(store, "a", after: cursorA)
            #expect(newForA == ["key-rpm:k1": 1, "key-tpm:k1": 40])
            #expect(nextA > cursorA)
            let (newForB, _) = try await Self.read(store, "b", after: cursorB)
            #expect(newForB == ["key-rpm:k1": 5])
            // A newcomer reads everything published in the last minute.
            let (newcomer, _) = try await Self.read(store, "z", after: 0)
            #expect(newcomer == ["key-rpm:k1": 11, "model-tpm:gpt-4o-mini": 120, "key-tpm:k1": 40])
        }
    }

    @Test(arguments: StoreBackend.tested)
    func publishingPrunesOldUsageAndKeepsRecentUsage(_ backend: StoreBackend) async throws {
        try await backend.withFixture(migrated: true) { fixture in
            let store = try #require(fixture.store as? any RateUsageStore)
            let now = Date().unixMillis
            // Fixed numbers, not input: a row past retention, and one past the read window but within retention.
            try await fixture.execute("INSERT INTO rate_usage (instance, bucket, amount, created_at) VALUES ('stale', 'key-rpm:k1', 7, \(now - 600_000))")
            try await fixture.execute("INSERT INTO rate_usage (instance, bucket, amount, created_at) VALUES ('older', 'key-rpm:k1', 4, \(now - 90_000))")
            try await store.publishRateUsage(instance: "a", usage: ["key-rpm:k1": 1])

            #expect(try await fixture.count("SELECT count(*) FROM rate_usage WHERE instance = 'stale'") == 0)
            #expect(try await fixture.count("SELECT count(*) FROM rate_usage WHERE instance = 'older'") == 1)
            #expect(try await fixture.count("SELECT count(*) FROM rate_usage WHERE instance = 'a'") == 1)
            // Kept, but older than a minute: a bucket has refilled it, so readers skip it.
            let (seen, _) = try await Self.read(store, "b", after: 0)
            #expect(seen == ["key-rpm:k1": 1])
        }
    }

    /// Many instances publishing at once while one reads: every unit is read exactly once, none skipped
    /// because a later id became visible before an earlier one.
    @Test(arguments: StoreBackend.tested)
    func concurrentPublishesAreReadExactlyOnce(_ backend: StoreBackend) async throws {
        try await backend.withStore { traces in
            let store = try #require(traces as? any RateUsageStore)
            let writers = 6
            let publishes = 20
            let usage = Dictionary(uniqueKeysWithValues: (0..<10).map { ("model-tpm:m\($0)", 1.0) }).merging(["key-rpm:k1": 1]) { $1 }
            let total = try await withThrowingTaskGroup(of: Double.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for _ in 0..<publishes { try await store.publishRateUsage(instance: "w\(writer)", usage: usage) }
                        return 0
                    }
                }
                group.addTask {
                    var cursor: Int64 = 0
                    var read = 0.0
                    // A skipped row would leave the total short for ever: give up after a generous while.
                    let deadline = ContinuousClock.now + .seconds(30)
                    while read < Double(writers * publishes * usage.count), ContinuousClock.now < deadline {
                        let (seen, next) = try await Self.read(store, "reader", after: cursor)
                        read += seen.values.reduce(0, +)
                        cursor = next
                    }
                    return read
                }
                return try await group.reduce(0, +)
            }
            #expect(total == Double(writers * publishes * usage.count))
        }
    }

    /// A publish that has drawn its ids but not committed yet (held up here by a trigger that sleeps, as a
    /// slow server would) must not let a later publish become visible first: a reader would move its cursor
    /// past the earlier ids and never read them. SQLite has one writer at a time, so only PostgreSQL gets
    /// the trigger; the contract is the same on both.
    @Test(arguments: StoreBackend.tested)
    func aPublishCommittedLateIsStillRead(_ backend: StoreBackend) async throws {
        try await backend.withFixture(migrated: true) { fixture in
            let store = try #require(fixture.store as? any RateUsageStore)
            if backend == .postgres {
                try await fixture.execute("""
                    CREATE FUNCTION slow_publish() RETURNS trigger AS $$
                    BEGIN
                        IF NEW.instance = 'slow' THEN PERFORM pg_sleep(1); END IF;
                        RETURN NEW;
                    END $$ LANGUAGE plpgsql
                    """)
                try await fixture.execute("CREATE TRIGGER slow_publish BEFORE INSERT ON rate_usage FOR EACH ROW EXECUTE FUNCTION slow_publish()")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.publishRateUsage(instance: "slow", usage: ["key-rpm:k1": 1]) }
                if backend == .postgres {
                    // The slow row has its id once its trigger sleeps.
                    let deadline = ContinuousClock.now + .seconds(10)
                    while try await fixture.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") == 0, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
                group.addTask { try await store.publishRateUsage(instance: "fast", usage: ["key-rpm:k1": 10]) }
                var cursor: Int64 = 0
                var read = 0.0
                let deadline = ContinuousClock.now + .seconds(10)
                while read < 11, ContinuousClock.now < deadline {
                    let (seen, next) = try await Self.read(store, "reader", after: cursor)
                    read += seen["key-rpm:k1"] ?? 0
                    cursor = next
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(read == 11)
                try await group.waitForAll()
            }
        }
    }
}
