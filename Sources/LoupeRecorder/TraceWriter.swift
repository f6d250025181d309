import Logging
import LoupeCore
import ServiceLifecycle

/// The service that moves traces from the queue to the store in batches, off the request path.
///
/// It writes when a full batch is waiting, or `flushInterval` after the first trace of a batch
/// arrived. On graceful shutdown it drains the queue before returning.
public struct TraceWriter: Service {
    /// Tuning for batching.
    public struct Configuration: Sendable {
        /// The most traces written in one transaction.
        public var batchSize: Int
        /// How long a trace may wait for companions before it is written.
        public var flushInterval: Duration
        /// The first wait after a failed write; it doubles up to `maxRetryDelay`.
        public var retryDelay: Duration
        public var maxRetryDelay: Duration

        public init(
            batchSize: Int = 512, flushInterval: Duration = .milliseconds(50),
            retryDelay: Duration = .milliseconds(100), maxRetryDelay: Duration = .seconds(5)
        ) {
            self.batchSize = batchSize
            self.flushInterval = flushInterval
            self.retryDelay = retryDelay
            self.maxRetryDelay = maxRetryDelay
        }
    }

    private let queue: TraceQueue
    private let store: any TraceStore
    private let configuration: Configuration
    private let logger: Logger

    public init(queue: TraceQueue, store: any TraceStore, configuration: Configuration = .init(), logger: Logger) {
        self.queue = queue
        self.store = store
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
        while await queue.waitForTraces() {
            // Give the batch time to fill unless it is full already or we are draining for shutdown.
            await queue.waitForBatch(of: configuration.batchSize, timeout: configuration.flushInterval)
            let batch = queue.take(maxCount: configuration.batchSize)
            await write(batch)
        }
        logger.debug("trace writer drained its queue")
    }

    /// Writes one batch, retrying with backoff until it lands or the service is cancelled outright.
    private func write(_ batch: [Trace]) async {
        guard !batch.isEmpty else { return }
        var delay = configuration.retryDelay
        var attempt = 1
        while true {
            do {
                try await store.insert(batch)
                if attempt > 1 { logger.notice("trace store is writable again", metadata: ["attempts": "\(attempt)"]) }
                return
            } catch {
                // Graceful shutdown does not cancel; only a forced stop does, and then we say what is lost.
                if Task.isCancelled {
                    logger.critical(
                        "trace writer was cancelled with traces unwritten",
                        metadata: ["lost": "\(batch.count + queue.depth)", "error": "\(error)"]
                    )
                    return
                }
                logger.error(
                    "cannot write traces to the store; retrying",
                    metadata: ["traces": "\(batch.count)", "attempt": "\(attempt)", "error": "\(error)"]
                )
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
                attempt += 1
            }
        }
    }
}
