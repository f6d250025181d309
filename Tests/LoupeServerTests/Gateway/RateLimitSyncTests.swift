import Foundation
import Hummingbird
import Logging
import LoupeConfig
import LoupeCore
import LoupeSQLite
import ServiceLifecycle
import Testing

@testable import LoupeServer

/// Rate limits shared by two gateways through one real SQLite file, each with its own `RateLimitSync`,
/// as two instances on one store run them.
@Suite struct RateLimitSyncTests {
    static let quiet: Logger = {
        var logger = Logger(label: "rate-limit-sync-test")
        logger.logLevel = .critical
        return logger
    }()

    static let key = VirtualKey(id: "key_shared", name: "shared", keyHash: String(repeating: "0", count: 64), keyPrefix: "lk-0000…", rpm: 10)

    /// A migrated store in a new temporary file; `migrated` false leaves it without tables, as a broken store.
    static func makeStore(migrated: Bool = true) async throws -> SQLiteTraceStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-ratesync-\(UUID().uuidString)/loupe.db").path
        let store = try SQLiteTraceStore(path: path)
        if migrated { try await store.migrate() }
        return store
    }

    static func gateway(_ store: SQLiteTraceStore) -> Gateway {
        Gateway(masterKey: GatewayTests.master, store: store, configuration: LoupeConfiguration())
    }

    /// Runs `services` in a service group while `body` runs, then shuts them down gracefully and waits for them.
    static func running(_ services: [any Service], _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: services, logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// What instances other than `observer` published, summed per bucket.
    static func published(_ store: SQLiteTraceStore) async throws -> [String: Double] {
        try await store.rateUsage(excluding: "observer", after: 0).usage.reduce(into: [:]) { $0[$1.bucket, default: 0] += $1.amount }
    }

    /// Polls `condition` until it holds or `limit` passes; returns whether it held.
    static func within(_ limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    @Test func onceOneInstanceUsedMostOfAKeysRateTheOtherRefusesWithinASyncInterval() async throws {
        let store = try await Self.makeStore()
        let (a, b) = (Self.gateway(store), Self.gateway(store))
        let interval = Duration.milliseconds(500)
        let syncs = [a, b].map { RateLimitSync(limiter: $0.limiter, store: store, configuration: .init(interval: interval), logger: Self.quiet) }
        try await Self.running(syncs) {
            for _ in 0..<9 { try await a.admit(key: Self.key, user: nil, model: "gpt-4o-mini") }
            // A publishes within an interval; from then on B's next read is at most one interval away.
            #expect(try await Self.within(.seconds(10)) { try await Self.published(store)["key-rpm:key_shared"] == 9 })
            let published = ContinuousClock.now
            var admittedByB = 0
            var refusal: APIError?
            while refusal == nil, ContinuousClock.now - published < .seconds(10) {
                do throws(APIError) {
                    try await b.admit(key: Self.key, user: nil, model: "gpt-4o-mini")
                    admittedByB += 1
                } catch {
                    refusal = error
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let waited = ContinuousClock.now - published
            let refused = try #require(refusal, "B never refused; it admitted \(admittedByB)")
            #expect(refused.status == .tooManyRequests && refused.code == "rate_limit_exceeded")
            #expect((refused.retryAfterSeconds ?? 0) > 0)
            // On its own B would have admitted its whole minute (10); it stopped once A's 9 reached it.
            #expect(admittedByB < 10)
            #expect(waited <= interval + .seconds(1), "B refused \(waited) after A's usage was stored")
        }
        // Each instance's usage reached the store once, B's last admissions by its shutdown publish at the latest.
        let total = try await Self.published(store)["key-rpm:key_shared"] ?? 0
        #expect(total >= 9 && total < 19)
    }

    @Test func gracefulShutdownPublishesTheLastUsage() async throws {
        let store = try await Self.makeStore()
        let a = Self.gateway(store)
        // A peer's earlier use of a bucket A has not made yet; A's first round charges it.
        try await store.publishRateUsage(instance: "peer", usage: ["key-rpm:key_other": 3])
        let sync = RateLimitSync(limiter: a.limiter, store: store, configuration: .init(interval: .seconds(60)), logger: Self.quiet)
        try await Self.running([sync]) {
            // Once the first round is done, the next is a minute away: what A takes now waits for shutdown.
            #expect(try await Self.within(.seconds(10)) { a.limiter.take("key-rpm:key_other", perMinute: 2, amount: 0) != nil })
            for _ in 0..<3 { try await a.admit(key: Self.key, user: nil, model: "gpt-4o-mini") }
            #expect(try await Self.published(store)["key-rpm:key_shared"] == nil)
        }
        #expect(try await Self.published(store)["key-rpm:key_shared"] == 3)
    }

    @Test func aFailingStoreLeavesLimitsLocalWarnsOnceAndCatchesUpWhenItAnswers() async throws {
        let store = try await Self.makeStore(migrated: false)  // no rate_usage table: every sync fails
        let a = Self.gateway(store)
        let messages = MessageLog()
        var logger = Logger(label: "rate-limit-sync-test") { _ in CapturingLogHandler(log: messages) }
        logger.logLevel = .info
        let sync = RateLimitSync(limiter: a.limiter, store: store, configuration: .init(interval: .milliseconds(20)), logger: logger)
        func warnings() -> Int { messages.all.filter { $0.contains("cannot share rate-limit usage") }.count }
        try await Self.running([sync]) {
            // Requests go on, under this instance's own limits.
            for _ in 0..<10 { try await a.admit(key: Self.key, user: nil, model: "gpt-4o-mini") }
            await #expect(throws: APIError.self) { try await a.admit(key: Self.key, user: nil, model: "gpt-4o-mini") }
            #expect(try await Self.within(.seconds(10)) { warnings() == 1 })
            // Many more failed rounds pass; they do not warn again within a minute.
            try await Task.sleep(for: .milliseconds(300))
            #expect(warnings() == 1)
            // The store comes back: the usage taken meanwhile is published after all.
            try await store.migrate()
            #expect(try await Self.within(.seconds(10)) { try await Self.published(store)["key-rpm:key_shared"] == 10 })
            #expect(try await Self.within(.seconds(10)) { messages.all.contains { $0.contains("shared through the store again") } })
        }
    }

    @Test func peerChargesAreNeverPublishedAgainAndReachBucketsMadeLater() {
        let limiter = RateLimiter()
        #expect(limiter.take("key-rpm:k", perMinute: 6) == nil)
        limiter.charge("key-tpm:k", perMinute: 100, amount: 40)
        limiter.chargePeers([RateUsage(bucket: "key-rpm:k", amount: 2, age: .zero), RateUsage(bucket: "model-rpm:m", amount: 6, age: .seconds(30))])
        #expect(limiter.takeConsumed() == ["key-rpm:k": 1, "key-tpm:k": 40])
        #expect(limiter.takeConsumed().isEmpty)
        // A minute's 6 taken 30 s ago elsewhere: half has refilled since, so 3 are left here.
        for _ in 0..<3 { #expect(limiter.take("model-rpm:m", perMinute: 6) == nil) }
        #expect((limiter.take("model-rpm:m", perMinute: 6) ?? 0) > 5)
        // 6 − 1 own − 2 the peer's: 3 left.
        for _ in 0..<3 { #expect(limiter.take("key-rpm:k", perMinute: 6) == nil) }
        #expect(limiter.take("key-rpm:k", perMinute: 6) != nil)
        #expect(limiter.takeConsumed() == ["model-rpm:m": 3, "key-rpm:k": 3])
    }
}
