import Foundation
import LoupeCore
import NIOHTTP1
import Testing

@Suite struct MetricsControllerTests {
    @Test func metricsExportTheQueueAndSpoolBacklogForPrometheus() async throws {
        try await withLoupe { loupe in
            let metrics = try await loupe.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = metrics.body.split(separator: "\n").map(String.init)
            #expect(lines.contains("# TYPE loupe_trace_spool_backlog gauge"))
            #expect(lines.contains("loupe_trace_spool_backlog 0.0") || lines.contains("loupe_trace_spool_backlog 0"))
            #expect(lines.contains { $0.hasPrefix("loupe_trace_queue_depth ") })
        }
    }
}
