import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeRecorder

/// Liveness and readiness for load balancers and orchestrators.
struct HealthController<Context: RequestContext>: Sendable {
    let store: any TraceStore
    let queue: TraceQueue
    let spool: TraceSpool
    /// Traces waiting (queued and spooled) beyond which the instance is not ready.
    var maxBacklog = 100_000
    /// How long the store may take to answer a ping before it counts as unavailable.
    var pingTimeout: Duration = .seconds(1)

    func addRoutes(to router: Router<Context>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("readyz") { _, _ in await readiness() }
    }

    /// Ready (200) when the store answers and the backlog is under `maxBacklog`; otherwise 503 with the reason.
    ///
    /// The body shows the store's state and how many traces wait to be written, in memory and spooled. While the
    /// store is down the instance still proxies without loss (the spool takes the traces), but it is not ready:
    /// `status` is `degraded`; with a backlog over the limit it is `backlogged`.
    func readiness() async -> Response {
        let queued = queue.unwritten
        let spooled = spool.backlog
        var body: [String: JSONValue] = [
            // Counting the batch being written too, so that 0 means every trace is stored or spooled.
            "queued_traces": .number(Double(queued)),
            "spooled_traces": .number(Double(spooled)),
            "max_backlog": .number(Double(maxBacklog)),
        ]
        var ready = true
        do {
            try await withTimeout(pingTimeout, operation: "answer a readiness ping") { try await store.ping() }
            body["store"] = .string("ok")
        } catch {
            ready = false
            body["status"] = .string("degraded")
            body["store"] = .string("unavailable")
            body["store_error"] = .string("\(error)")
        }
        if queued + spooled > maxBacklog {
            ready = false
            body["status"] = body["status"] ?? .string("backlogged")
        }
        if ready { body["status"] = .string("ready") }
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).jsonText))
        )
    }
}
