import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeRecorder
import Prometheus
import Synchronization

/// `GET /metrics` in Prometheus text format.
struct MetricsController<Context: RequestContext>: Sendable {
    let registry: PrometheusCollectorRegistry
    let queue: TraceQueue
    let spool: TraceSpool
    /// The OTLP exporter, when `telemetry.otlp_endpoint` is set, and the shadow queue: their counts are scraped too.
    var exporter: OTLPExporter? = nil
    var shadows: ShadowQueue? = nil

    func addRoutes(to router: Router<Context>) {
        let queued = registry.makeGauge(name: "loupe_trace_queue_depth", help: "Traces waiting in memory for the trace writer.")
        let spooled = registry.makeGauge(name: "loupe_trace_spool_backlog", help: "Traces spooled to disk while the store was unavailable, not yet replayed.")
        let counts = ScrapedCounts(registry: registry, exporter: exporter, shadows: shadows)
        router.get("metrics") { _, _ in
            // Gauges of state that lives elsewhere are read when scraped, so they are never stale.
            queued.set(Double(queue.depth))
            spooled.set(Double(spool.backlog))
            counts.update()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}

/// Counts kept by other components (the OTLP exporter, the shadow queue), turned into Prometheus counters when
/// scraped: each scrape adds what was counted since the last one.
final class ScrapedCounts: Sendable {
    private let sources: [(counter: Counter, read: @Sendable () -> Int)]
    private let seen: Mutex<[Int]>

    init(registry: PrometheusCollectorRegistry, exporter: OTLPExporter?, shadows: ShadowQueue?) {
        var sources: [(Counter, @Sendable () -> Int)] = []
        if let exporter {
            sources.append((registry.makeCounter(name: "loupe_otlp_spans_exported_total", help: "Spans sent to telemetry.otlp_endpoint."), { exporter.exported }))
            sources.append((registry.makeCounter(name: "loupe_otlp_spans_dropped_total", help: "Spans not sent: a full buffer, or a collector that refused or did not answer."), { exporter.dropped }))
        }
        if let shadows {
            sources.append((registry.makeCounter(name: "loupe_shadow_copies_dropped_total", help: "Shadow copies dropped because the shadow queue was full."), { shadows.dropped }))
        }
        self.sources = sources
        self.seen = Mutex(Array(repeating: 0, count: sources.count))
    }

    func update() {
        seen.withLock { seen in
            for (index, source) in sources.enumerated() {
                let now = source.read()
                if now > seen[index] { source.counter.increment(by: Int64(now - seen[index])) }
                seen[index] = now
            }
        }
    }
}
