// Store benchmarks for docs/PERFORMANCE.md: batched ingest rate, and cost-report latency over a
// large table, for any store URL.
//
//   loupe-store-bench STORE_URL [TRACES]      (default 1,000,000 traces over 30 days)
import Foundation
import Logging
import LoupeCore
import LoupeRecorder
import LoupeServer

@main
struct StoreBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print("usage: loupe-store-bench STORE_URL [TRACES]")
            exit(64)
        }
        let total = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let opened = try StoreFactory.open(url: arguments[1], logger: logger)
        try await opened.withRunning { store in
            try await store.migrate()
            try await run(store, total: total)
        }
    }

    static func run(_ store: any TraceStore, total: Int) async throws {
        let models = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash", "mistral-large", "deepseek-chat", "grok-4", "o3-mini"]
        let users = (0..<50).map { "user-\($0)" }
        let now = Date()
        let span = 30.0 * 86_400
        // The trace writer's batch, unless LOUPE_BENCH_BATCH sets another to compare.
        let batchSize = Int(ProcessInfo.processInfo.environment["LOUPE_BENCH_BATCH"] ?? "") ?? TraceWriter.Configuration().batchSize
        var generator = SystemRandomNumberGenerator()
        var written = 0
        var insertTime = Duration.zero
        while written < total {
            let count = min(batchSize, total - written)
            let batch: [Trace] = (0..<count).map { index in
                let created = now.addingTimeInterval(-span * Double(written + index) / Double(total))
                return Trace(
                    id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai",
                    model: models[Int.random(in: 0..<models.count, using: &generator)], upstreamModel: nil, stream: index % 3 == 0,
                    status: index % 50 == 0 ? .error : .ok, statusCode: index % 50 == 0 ? 500 : 200,
                    latencyMs: Double.random(in: 80...4000, using: &generator), ttftMs: nil,
                    usage: TokenUsage(inputTokens: Int.random(in: 10...4000, using: &generator), outputTokens: Int.random(in: 5...800, using: &generator)),
                    cost: USD(picos: Int64.random(in: 1_000_000...90_000_000_000, using: &generator)),
                    user: users[Int.random(in: 0..<users.count, using: &generator)], tags: index % 4 == 0 ? ["batch"] : [],
                    request: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Summarise the quarterly report in three bullet points."}]}"#,
                    response: "The quarter closed with revenue up 12%, costs flat, and two new enterprise customers."
                )
            }
            let started = ContinuousClock.now
            try await store.insert(batch)
            insertTime += ContinuousClock.now - started
            written += count
        }
        let seconds = Double(insertTime.components.seconds) + Double(insertTime.components.attoseconds) / 1e18
        print(String(format: "ingest: %d traces in batches of %d: %.2f s in insert, %.0f traces/s", total, batchSize, seconds, Double(total) / seconds))
        print("traces in store: \(try await store.count())")
        if ProcessInfo.processInfo.environment["LOUPE_BENCH_INGEST_ONLY"] != nil { return }

        for (name, query) in [
            ("group_by=model, all time", CostReportQuery(groupBy: .model)),
            ("group_by=day, last 30 days", CostReportQuery(groupBy: .day, since: now.addingTimeInterval(-span))),
            ("group_by=model, last 24 hours", CostReportQuery(groupBy: .model, since: now.addingTimeInterval(-86_400))),
        ] {
            _ = try await store.costReport(query)  // warm the cache
            var timings: [Duration] = []
            for _ in 0..<3 {
                let started = ContinuousClock.now
                _ = try await store.costReport(query)
                timings.append(ContinuousClock.now - started)
            }
            timings.sort()
            print("report \(name): median \(timings[1]) (min \(timings[0]), max \(timings[2]))")
        }
        // What the v2-cost-rollups migration costs an existing store of this size.
        let started = ContinuousClock.now
        try await store.rebuildCostRollups()
        print("rebuild the cost rollups from \(total) traces: \(ContinuousClock.now - started)")
    }
}
