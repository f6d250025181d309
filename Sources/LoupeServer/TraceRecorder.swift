import Foundation
import Logging
import LoupeCore
import LoupePricing
import LoupeRecorder
import Synchronization

/// Turns what the proxy saw into a `Trace`, prices it, and hands it to the writer's queue.
final class TraceRecorder: Sendable {
    let queue: TraceQueue
    private let prices: PriceTable
    private let maxBodyBytes: Int
    private let logger: Logger
    /// Model names already warned about, so each unknown model is logged once.
    private let unpricedModels = Mutex<Set<String>>([])
    /// Lookups already made: name resolution (dates, prefixes) is done once per model name.
    private let resolvedPrices = Mutex<[String: ModelPrice?]>([:])
    private static let maxResolvedPrices = 10_000
    /// Told of every priced trace as it is queued: the gateway counts spend and tokens from it.
    private let observer: (@Sendable (Trace) -> Void)?
    /// Counts every priced trace for `/metrics`: a few counter adds, never a wait.
    private let metrics: LoupeMetrics?

    init(
        queue: TraceQueue, prices: PriceTable, maxBodyBytes: Int, logger: Logger, observer: (@Sendable (Trace) -> Void)? = nil,
        metrics: LoupeMetrics? = nil
    ) {
        self.queue = queue
        self.prices = prices
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.observer = observer
        self.metrics = metrics
    }

    /// Prices and stores `trace`; `pricedAs` lists model names to try, best first. Returns the trace as stored.
    /// `upstreamMs` (the providers' time) and `errorCode` (the code Loupe failed the call with) go to the metrics only.
    @discardableResult
    func record(_ trace: Trace, pricedAs names: [String?], upstreamMs: Double? = nil, errorCode: String? = nil) async -> Trace {
        let priced = priced(trace, names: names)
        tell(priced, upstreamMs: upstreamMs, errorCode: errorCode)
        await queue.enqueue(priced)
        return priced
    }

    /// Tells the observers and the metrics of a priced trace about to be queued, for callers that queue it themselves
    /// without suspending (the relay, on an event loop).
    func tell(_ priced: Trace, upstreamMs: Double?, errorCode: String?) {
        observer?(priced)
        metrics?.record(priced, upstreamMs: upstreamMs, errorCode: errorCode)
    }

    /// Prices and stores a trace made from an ingested OpenTelemetry span. Observers are not told: the call did not go
    /// through Loupe, so it counts against no budget or rate limit, and it is not exported back out.
    func recordIngested(_ trace: Trace, pricedAs names: [String?]) async {
        await queue.enqueue(priced(trace, names: names))
    }

    /// Like `record`, for callers that cannot wait (a stream torn down without running).
    func recordWithoutWaiting(_ trace: Trace, pricedAs names: [String?]) {
        let priced = priced(trace, names: names)
        observer?(priced)
        metrics?.record(priced, upstreamMs: nil, errorCode: nil)
        queue.enqueueWithoutWaiting(priced)
    }

    /// `trace` with its cost, from the first of `names` that has a price.
    func priced(_ trace: Trace, names: [String?]) -> Trace {
        var trace = trace
        guard !trace.usage.isEmpty else { return trace }
        let candidates = names.compactMap { $0 }
        if let price = candidates.lazy.compactMap({ self.price(for: $0) }).first {
            trace.cost = price.cost(of: trace.usage)
        } else if let name = candidates.first {
            let isNew = unpricedModels.withLock { $0.insert(name).inserted }
            if isNew {
                logger.warning(
                    "no price known for this model; its traces get cost_usd null. Add it to a pricing file (pricing.file) to price it.",
                    metadata: ["model": "\(name)"]
                )
            }
        }
        return trace
    }

    private func price(for model: String) -> ModelPrice? {
        if let cached = resolvedPrices.withLock({ $0[model] }) { return cached }
        let price = prices.price(for: model)
        resolvedPrices.withLock { cache in
            if cache.count < Self.maxResolvedPrices { cache[model] = price }
        }
        return price
    }

    /// Text for a stored body: capped at the store's limit, binary bodies described rather than stored.
    func storedBody(_ bytes: some Collection<UInt8>) -> (text: String?, truncated: Bool) {
        guard !bytes.isEmpty else { return (nil, false) }
        let truncated = bytes.count > maxBodyBytes
        let kept = bytes.prefix(maxBodyBytes)
        guard let text = String(validating: kept, as: UTF8.self) ?? (truncated ? String(decoding: kept, as: UTF8.self) : nil) else {
            return ("<\(bytes.count) bytes of binary data>", false)
        }
        return (text, truncated)
    }
}
