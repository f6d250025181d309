import Logging
import LoupeCore
import ServiceLifecycle

/// The service that moves traces from the queue to the store in batches, off the request path.
///
/// It writes when a full batch is waiting, or `flushInterval` after the first trace of a batch
/// arrived. When the store fails, batches go to the spool file (in order) and are replayed once
/// the store answers again. On graceful shutdown it drains the queue before returning.
public struct TraceWriter: Service {
    /// Tuning for batching.
    public struct Configuration: Sendable {
        /// The most traces written at once. It matters only when traces arrive faster than one batch per flush
        /// interval, and then a bigger batch spreads each write's fixed cost (the rollup rows it updates) over more
        /// traces: 1,024 rather than 512 took both stores' ingest rate up by a quarter (docs/PERFORMANCE.md).
        public var batchSize: Int
        /// How long a trace may wait for companions before it is written.
        public var flushInterval: Duration
        /// The first wait after a failed write or replay; it doubles up to `maxRetryDelay`.
        public var retryDelay: Duration
        public var maxRetryDelay: Duration
        /// A write that takes longer than this counts as failed, so a hung store cannot stall the queue.
        public var writeTimeout: Duration

        public init(
            batchSize: Int = 1_024, flushInterval: Duration = .milliseconds(50),
            retryDelay: Duration = .milliseconds(100), maxRetryDelay: Duration = .seconds(5),
            writeTimeout: Duration = .seconds(2)
        ) {
            self.batchSize = batchSize
            self.flushInterval = flushInterval
            self.retryDelay = retryDelay
            self.maxRetryDelay = maxRetryDelay
            self.writeTimeout = writeTimeout
        }
    }

    private let queue: TraceQueue
    private let store: any TraceStore
    private let spool: TraceSpool?
    private let configuration: Configuration
    private let logger: Logger

    /// A writer for `store`; with a `spool`, batches the store refuses are kept there instead of held in memory.
    public init(queue: TraceQueue, store: any TraceStore, spool: TraceSpool? = nil, configuration: Configuration = .init(), logger: Logger) {
        self.queue = queue
        self.store = store
        self.spool = spool
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await writeUntilFinished()
        } onGracefulShutdown: {
            queue.finish()
        }
    }

    private func writeUntilFinished() async {
        var replay = Backoff(configuration)
        while true {
            if let spool, spool.backlog > 0, replay.isDue {
                if await replayed(spool) { replay.reset() } else { replay.fail() }
            }
            let hasWork: Bool
            if let spool, spool.backlog > 0 {
                hasWork = await queue.waitForTraces(timeout: replay.untilDue)
            } else {
                hasWork = await queue.waitForTraces()
            }
            if queue.isFinishedAndEmpty || Task.isCancelled { break }
            guard hasWork, queue.depth > 0 else { continue }
            // Give the batch time to fill unless it is full already or we are draining for shutdown.
            await queue.waitForBatch(of: configuration.batchSize, timeout: configuration.flushInterval)
            await write(queue.take(maxCount: configuration.batchSize))
        }
        if Task.isCancelled {
            keepUnwrittenOnCancellation()
            return
        }
        if let spool, spool.backlog > 0, !(await replayed(spool)) {
            logger.warning(
                "the trace store is still unreachable; spooled traces stay on disk and are written when Loupe next starts",
                metadata: ["spooled": "\(spool.backlog)", "spool": "\(spool.path)"]
            )
        }
        logger.debug("trace writer drained its queue")
    }

    /// A forced stop leaves no time for the store; what is still queued goes to the spool, which is synchronous.
    private func keepUnwrittenOnCancellation() {
        let rest = queue.take(maxCount: Int.max)
        guard !rest.isEmpty else { return }
        defer { queue.settled(rest.count) }
        do {
            guard let spool else { throw CancellationError() }
            try spool.append(rest)
            logger.warning("trace writer was cancelled; queued traces were spooled", metadata: ["spooled": "\(rest.count)"])
        } catch {
            logger.critical("trace writer was cancelled with traces unwritten", metadata: ["lost": "\(rest.count)", "error": "\(error)"])
        }
    }

    /// Writes one batch: to the store, or to the spool when the store fails or a backlog must keep order.
    private func write(_ batch: [Trace]) async {
        guard !batch.isEmpty else { return }
        defer { queue.settled(batch.count) }
        var backoff = Backoff(configuration)
        while true {
            let mustQueueBehindBacklog = (spool?.backlog ?? 0) > 0
            if !mustQueueBehindBacklog {
                do {
                    try await insert(batch)
                    if backoff.failures > 0 { logger.notice("trace store is writable again", metadata: ["attempts": "\(backoff.failures + 1)"]) }
                    return
                } catch {
                    logger.error("cannot write traces to the store", metadata: ["traces": "\(batch.count)", "error": "\(error)"])
                }
            }
            if let spool {
                do {
                    try spool.append(batch)
                    if !mustQueueBehindBacklog { logger.warning("traces spooled to disk until the store answers", metadata: ["spooled": "\(spool.backlog)"]) }
                    return
                } catch {
                    logger.critical("cannot spool traces either; holding them in memory and retrying", metadata: ["error": "\(error)"])
                }
            }
            // Graceful shutdown does not cancel; only a forced stop does, and then we say what is lost.
            if Task.isCancelled {
                logger.critical("trace writer was cancelled with traces unwritten", metadata: ["lost": "\(batch.count + queue.depth)"])
                return
            }
            backoff.fail()
            try? await Task.sleep(for: backoff.delay)
        }
    }

    /// Replays the spool into the store in order; true when it is empty afterwards.
    private func replayed(_ spool: TraceSpool) async -> Bool {
        let backlog = spool.backlog
        do {
            try await spool.forEachBatch { batch in try await insert(batch) }
            try spool.clear()
            logger.notice("spooled traces written to the store", metadata: ["traces": "\(backlog)"])
            return true
        } catch {
            logger.debug("spool replay failed; will retry", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// `store.insert`, bounded by `writeTimeout`.
    private func insert(_ batch: [Trace]) async throws {
        try await withTimeout(configuration.writeTimeout, operation: "write \(batch.count) traces to the store") {
            try await store.insert(batch)
        }
    }
}

/// Exponential backoff between retries, from `retryDelay` up to `maxRetryDelay`.
private struct Backoff {
    let initial: Duration
    let maximum: Duration
    private(set) var failures = 0
    private(set) var delay: Duration
    private var due = ContinuousClock.now

    init(_ configuration: TraceWriter.Configuration) {
        initial = configuration.retryDelay
        maximum = configuration.maxRetryDelay
        delay = configuration.retryDelay
    }

    var isDue: Bool { ContinuousClock.now >= due }
    var untilDue: Duration { max(due - ContinuousClock.now, .milliseconds(1)) }

    mutating func fail() {
        if failures > 0 { delay = min(delay * 2, maximum) }
        failures += 1
        due = ContinuousClock.now + delay
    }

    mutating func reset() {
        failures = 0
        delay = initial
        due = ContinuousClock.now
    }
}
