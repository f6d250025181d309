import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeRecorder
import Prometheus

/// `GET /metrics` in Prometheus text format.
struct MetricsController<Context: RequestContext>: Sendable {
    let registry: PrometheusCollectorRegistry
    let queue: TraceQueue
    let spool: TraceSpool

    func addRoutes(to router: Router<Context>) {
        let queued = registry.makeGauge(name: "loupe_trace_queue_depth", help: "Traces waiting in memory for the trace writer.")
        let spooled = registry.makeGauge(name: "loupe_trace_spool_backlog", help: "Traces spooled to disk while the store was unavailable, not yet replayed.")
        router.get("metrics") { _, _ in
            // Gauges of state that lives elsewhere are read when scraped, so they are never stale.
            queued.set(Double(queue.depth))
            spooled.set(Double(spool.backlog))
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
