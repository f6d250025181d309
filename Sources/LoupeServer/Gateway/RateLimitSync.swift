import Logging
import LoupeCore
import ServiceLifecycle
import Synchronization

/// Makes rate limits hold across instances sharing a store: every `interval` it publishes what this
/// instance took from its buckets and charges what the other instances took to this one's, so every
/// instance's buckets see all consumption, about two intervals late at most.
///
/// Requests never wait on it. While the store fails it keeps trying, warning at most once a minute, and
/// each instance limits on its own; on graceful shutdown it publishes a last time.
struct RateLimitSync: Service {
    /// Timing of the sync.
    struct Configuration: Sendable {
        /// How often usage is published and read.
        var interval: Duration = .seconds(1)
        /// A store call that takes longer counts as failed, so a hung store cannot stall the sync.
        var timeout: Duration = .seconds(5)
        /// While the store fails, how often to warn again.
        var warnEvery: Duration = .seconds(60)
    }

    let limiter: RateLimiter
    let store: any RateUsageStore
    /// Random for each start, so rows never need a stable name; a restarted instance reads what its
    /// predecessor published as any other peer's.
    let instance: String
    let configuration: Configuration
    let logger: Logger

    init(limiter: RateLimiter, store: any RateUsageStore, instance: String = Self.randomInstance(), configuration: Configuration = .init(), logger: Logger) {
        self.limiter = limiter
        self.store = store
        self.instance = instance
        self.configuration = configuration
        self.logger = logger
    }

    /// An id like `i-3f9a0c1d2e4b5a69`.
    static func randomInstance() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return "i-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Where the sync stands between rounds.
    private struct Progress {
        var cursor: Int64 = 0
        /// Taken here but not yet stored (the store failed), and since when.
        var unpublished: [String: Double] = [:]
        var unpublishedSince: ContinuousClock.Instant?
        var failedRounds = 0
        var lastWarning: ContinuousClock.Instant?
    }

    func run() async {
        logger.debug("sharing rate-limit usage through the store", metadata: ["instance": "\(instance)"])
        var progress = Progress()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await round(&progress)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.interval) }
        }
        // What this instance took since the last round still counts on the others; a cancelled task cannot wait for the store.
        guard !Task.isCancelled else { return }
        do {
            try await publish(&progress)
        } catch {
            logger.warning("could not publish this instance's last rate-limit usage", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes what this instance took, then charges what the others took since the last read.
    private func round(_ progress: inout Progress) async {
        do {
            try await publish(&progress)
            let page = try await read(after: progress.cursor)
            limiter.chargePeers(page.usage)
            progress.cursor = page.cursor
            if progress.failedRounds > 0 {
                logger.notice("rate limits are shared through the store again", metadata: ["failed_rounds": "\(progress.failedRounds)"])
                progress.failedRounds = 0
                progress.lastWarning = nil
            }
        } catch {
            progress.failedRounds += 1
            let now = ContinuousClock.now
            if progress.lastWarning.map({ now - $0 >= configuration.warnEvery }) ?? true {
                progress.lastWarning = now
                logger.warning(
                    "cannot share rate-limit usage through the store; until it answers, this instance applies its limits on its own",
                    metadata: ["error": "\(error)", "failed_rounds": "\(progress.failedRounds)"]
                )
            }
        }
    }

    /// Stores what this instance took since the last publish that succeeded.
    private func publish(_ progress: inout Progress) async throws {
        let now = ContinuousClock.now
        // Usage the store could not take for a minute is dropped: by now every bucket has refilled it.
        if let since = progress.unpublishedSince, now - since > .milliseconds(RateUsage.windowMillis) { progress.unpublished = [:] }
        let consumed = limiter.takeConsumed()
        if progress.unpublished.isEmpty, !consumed.isEmpty { progress.unpublishedSince = now }
        progress.unpublished.merge(consumed, uniquingKeysWith: +)
        guard !progress.unpublished.isEmpty else { return }
        let usage = progress.unpublished
        // A publish that times out may still commit, and then counts twice: limits err on the strict side.
        try await withTimeout(configuration.timeout, operation: "publish rate-limit usage") { [store, instance] in
            try await store.publishRateUsage(instance: instance, usage: usage)
        }
        progress.unpublished = [:]
        progress.unpublishedSince = nil
    }

    /// The other instances' usage after `cursor`.
    private func read(after cursor: Int64) async throws -> RateUsage.Page {
        // Filled only if the read finishes in time; a late answer lands in a box nobody reads.
        let box = PageBox()
        try await withTimeout(configuration.timeout, operation: "read rate-limit usage") { [store, instance] in
            let page = try await store.rateUsage(excluding: instance, after: cursor)
            box.page.withLock { $0 = page }
        }
        return box.page.withLock { $0 } ?? RateUsage.Page(usage: [], cursor: cursor)
    }

    /// Carries a read's answer out of `withTimeout`.
    private final class PageBox: Sendable {
        let page = Mutex<RateUsage.Page?>(nil)
    }
}
