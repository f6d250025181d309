import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeRecorder

/// Liveness and readiness for load balancers and orchestrators.
struct HealthController<Context: RequestContext>: Sendable {
    let store: any TraceStore
    let queue: TraceQueue

    func addRoutes(to router: Router<Context>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("readyz") { _, _ in await readiness() }
    }

    /// Ready when the store answers; the body also shows how many traces wait to be written.
    func readiness() async -> Response {
        let depth = queue.depth
        do {
            try await store.ping()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ready","store":"ok","queued_traces":\#(depth)}"#))
            )
        } catch {
            return APIError(status: .serviceUnavailable, message: "The trace store does not answer: \(error)", type: "server_error", code: "store_unavailable").response()
        }
    }
}
