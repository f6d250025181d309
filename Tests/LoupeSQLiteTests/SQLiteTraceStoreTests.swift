import Foundation
import GRDB
import LoupeCore
import LoupeSQLite
import Testing

@Suite struct SQLiteTraceStoreTests {
    func makeStore() async throws -> SQLiteTraceStore {
        let store = SQLiteTraceStore(database: try DatabaseQueue())
        try await store.migrate()
        return store
    }

    func trace(_ offsetSeconds: Double, model: String? = "gpt-4o-mini", user: String? = nil, tags: [String] = [], status: TraceStatus = .ok, code: Int = 200, latency: Double = 10, cost: String? = "0.001") -> Trace {
        let created = Date(timeIntervalSince1970: 1_790_000_000 + offsetSeconds)
        return Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai", model: model,
            status: status, statusCode: code, latencyMs: latency, usage: TokenUsage(inputTokens: 10, outputTokens: 5),
            cost: cost.flatMap(USD.init), user: user, tags: tags
        )
    }

    @Test func roundTripsEveryField() async throws {
        let store = try await makeStore()
        var original = trace(0, user: "alice", tags: ["a", "b"])
        original.upstreamModel = "gpt-4o-mini-2024-07-18"
        original.stream = true
        original.ttftMs = 12.5
        original.sessionID = "s1"
        original.metadata = ["team": .string("search")]
        original.request = #"{"model":"gpt-4o-mini"}"#
        original.response = "partial"
        original.responseTruncated = true
        original.usage = TokenUsage(inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1)
        try await store.insert([original])
        #expect(try await store.trace(id: original.id) == original)
    }

    @Test func insertIsIdempotentOnID() async throws {
        let store = try await makeStore()
        let one = trace(0, tags: ["x"])
        try await store.insert([one])
        try await store.insert([one])
        #expect(try await store.count() == 1)
        #expect(try await store.traces(matching: TraceQuery(tag: "x")).traces.count == 1)
    }

    @Test func filtersAndPaginatesNewestFirst() async throws {
        let store = try await makeStore()
        let traces: [Trace] = (0..<25).map { (index: Int) -> Trace in
            let user = index % 2 == 0 ? "even" : "odd"
            let tags: [String] = index % 5 == 0 ? ["five"] : []
            return trace(Double(index), user: user, tags: tags)
        }
        try await store.insert(traces)
        var seen: [String] = []
        var query = TraceQuery(limit: 10)
        while true {
            let page = try await store.traces(matching: query)
            seen += page.traces.map(\.id)
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        #expect(seen == traces.reversed().map { $0.id })
        #expect(try await store.traces(matching: TraceQuery(user: "even")).traces.count == 13)
        #expect(try await store.traces(matching: TraceQuery(tag: "five")).traces.count == 5)
        let window = TraceQuery(since: traces[5].createdAt, until: traces[10].createdAt)
        let windowIDs = try await store.traces(matching: window).traces.map { $0.id }
        #expect(windowIDs == traces[5..<10].reversed().map { $0.id })
    }

    @Test func userFilterIsAValueNotSQL() async throws {
        let store = try await makeStore()
        try await store.insert([trace(0, user: "alice")])
        #expect(try await store.traces(matching: TraceQuery(user: "' OR '1'='1")).traces.isEmpty)
        #expect(try await store.traces(matching: TraceQuery(tag: "x') OR 1=1 --")).traces.isEmpty)
    }

    @Test func statusFilters() async throws {
        let store = try await makeStore()
        try await store.insert([trace(0), trace(1, status: .error, code: 429), trace(2, status: .error, code: 502), trace(3, status: .cancelled)])
        #expect(try await store.traces(matching: TraceQuery(status: .status(.error))).traces.count == 2)
        #expect(try await store.traces(matching: TraceQuery(status: .code(429))).traces.count == 1)
        #expect(try await store.traces(matching: TraceQuery(status: .codeClass(5))).traces.count == 1)
        #expect(try await store.traces(matching: TraceQuery(status: .status(.cancelled))).traces.count == 1)
    }

    @Test func costReportSumsExactlyAndComputesPercentiles() async throws {
        let store = try await makeStore()
        var traces = (1...100).map { trace(Double($0), latency: Double($0), cost: "0.000123456789") }
        traces.append(trace(200, model: "llama3.2", status: .error, code: 502, latency: 5, cost: nil))
        try await store.insert(traces)
        let rows = try await store.costReport(CostReportQuery(groupBy: .model))
        let mini = try #require(rows.first { $0.key == "gpt-4o-mini" })
        #expect(mini.requests == 100)
        #expect(mini.inputTokens == 1000)
        #expect(mini.costUSD == Decimal(string: "0.0123456789"))
        #expect(mini.p50LatencyMs == 50)
        #expect(mini.p95LatencyMs == 95)
        #expect(mini.errors == 0)
        let llama = try #require(rows.first { $0.key == "llama3.2" })
        #expect(llama.costUSD == nil)
        #expect(llama.errors == 1)
    }

    @Test func costReportByDayAndTag() async throws {
        let store = try await makeStore()
        try await store.insert([trace(0, tags: ["a", "b"]), trace(86_400, tags: ["a"]), trace(90_000)])
        let days = try await store.costReport(CostReportQuery(groupBy: .day))
        #expect(days.map(\.requests).reduce(0, +) == 3)
        #expect(days.count == 2)
        let tags = try await store.costReport(CostReportQuery(groupBy: .tag))
        #expect(Dictionary(uniqueKeysWithValues: tags.map { ($0.key ?? "-", $0.requests) }) == ["a": 2, "b": 1, "-": 1])
    }

    @Test func fileStoreUsesWALAndPassesIntegrityCheck() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/loupe.db").path
        let store = try SQLiteTraceStore(path: path)
        try await store.migrate()
        try await store.insert([trace(0)])
        #expect(try await store.integrityCheck() == "ok")
        let mode = try await DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
