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

    func addRoutes(to router: Router<Context>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("readyz") { _, _ in await readiness() }
    }

    /// The body shows the store's state and how many traces wait to be written, in memory and spooled.
    ///
    /// While the store is down the spool takes the traces, so the instance still proxies without
    /// loss: it stays ready (200) and reports `"status":"degraded"` with its backlog.
    func readiness() async -> Response {
        var body: [String: JSONValue] = [
            // Counting the batch being written too, so that 0 means every trace is stored or spooled.
            "queued_traces": .number(Double(queue.unwritten)),
            "spooled_traces": .number(Double(spool.backlog)),
        ]
        do {
            try await withTimeout(.seconds(1), operation: "answer a readiness ping") { try await store.ping() }
            body["status"] = .string("ready")
            body["store"] = .string("ok")
        } catch {
            body["status"] = .string("degraded")
            body["store"] = .string("unavailable")
            body["store_error"] = .string("\(error)")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).jsonText))
        )
    }
}
