import Foundation
import LoupeCore
import LoupeServer
import LoupeSQLite
import Testing

/// What a comparison reads when there are more calls than it may: the newest, and it says so.
@Suite struct ComparisonReporterTests {
    @Test func aCappedReportReadsTheNewestCallsAndSaysSo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTraceStore(path: directory.appendingPathComponent("loupe.db").path)
        try await store.migrate()
        var traces: [Trace] = []
        for index in 0..<3 {
            let created = TraceControllerCompareTests.base.addingTimeInterval(Double(index))
            let primary = Trace(id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", model: "gpt-4o-mini", latencyMs: Double(index + 1))
            var shadow = Trace(createdAt: created, endpoint: "/v1/chat/completions", model: "fast", latencyMs: Double(index + 1) * 10)
            shadow.variant = "shadow"
            shadow.parentTraceID = primary.id
            traces += [primary, shadow]
        }
        try await store.insert(traces)
        let reporter = ComparisonReporter(store: store)

        let capped = try await reporter.report(ComparisonQuery(mode: .shadow(model: "fast"), maxRows: 2))
        #expect(capped.capped && capped.pairs == 2)
        #expect(capped.sides.map(\.p95LatencyMs) == [3, 30])  // the two newest pairs: latencies 2 and 3, 20 and 30
        let whole = try await reporter.report(ComparisonQuery(mode: .shadow(model: "fast"), maxRows: 3))
        #expect(!whole.capped && whole.pairs == 3)

        let models = try await reporter.report(ComparisonQuery(mode: .models(a: "gpt-4o-mini", b: "fast"), maxRows: 2))
        #expect(models.capped && models.sides.map(\.requests) == [2, 2])
        #expect(models.sides.map(\.p50LatencyMs) == [2, 20])
        #expect(models.evals.map(\.count) == [0, 0])
    }
}
