import Foundation
import LoupeCore
import Testing

/// The `TraceStore` contract, run against every backend.
@Suite struct TraceStoreTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13 UTC

    func trace(
        _ offsetSeconds: Double, model: String? = "gpt-4o-mini", user: String? = nil, tags: [String] = [],
        status: TraceStatus = .ok, code: Int = 200, latency: Double = 10, cost: String? = "0.001"
    ) -> Trace {
        let created = Self.base.addingTimeInterval(offsetSeconds)
        return Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai", model: model,
            status: status, statusCode: code, latencyMs: latency, usage: TokenUsage(inputTokens: 10, outputTokens: 5),
            cost: cost.flatMap(USD.init), user: user, tags: tags
        )
    }

    /// Whether a percentile read from a store is within the 1% its histograms promise.
    func isClose(_ reported: Double?, _ exact: Double) -> Bool {
        guard let reported else { return false }
        return abs(reported - exact) <= exact * LatencyHistogram.relativeAccuracy + 1e-9
    }

    /// Every page of `query`, newest first.
    func allPages(_ store: any TraceStore, _ query: TraceQuery) async throws -> [Trace] {
        var query = query
        var traces: [Trace] = []
        while true {
            let page = try await store.traces(matching: query)
            traces += page.traces
            guard let next = page.nextCursor else { return traces }
            query.cursor = next
        }
    }

    @Test(.enabled(
        if: StoreBackend.tested.contains(.postgres),
        "LOUPE_TEST_POSTGRES_URL is not set, so every PostgreSQL case of this suite is skipped; `source .ci/postgres` to run them"
    ))
    func postgresServerAnswers() async throws {
        try await StoreBackend.postgres.withStore { store in
            try await store.ping()
            #expect(try await store.schemaStatus().isCurrent)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func roundTripsEveryField(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            // Tags that quoting or array syntax could mangle, in an order that must survive.
            let tags = ["b", "a", "ünïcode ✓", #"with "quotes""#, #"back\slash"#, "a,b", "{braces}", "NULL", " spaced ", ""]
            var full = trace(0, user: "alice", tags: tags)
            full.upstreamModel = "gpt-4o-mini-2024-07-18"
            full.stream = true
            full.status = .error
            full.statusCode = 502
            full.error = "upstream said \"no\"; it's down"
            full.latencyMs = 1234.5678
            full.ttftMs = 12.5
            full.sessionID = "s1"
            full.promptName = "support/reply"
            full.promptVersion = 3
            full.guardrails = [
                GuardrailResult(direction: .input, check: "pii", action: .redact, category: "email", count: 2),
                GuardrailResult(direction: .output, check: "json_schema", action: .block, category: "schema_mismatch", count: 1),
            ]
            full.metadata = ["team": .string("search"), "n": .number(1.5), "flags": .array([.bool(true), .null])]
            full.request = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"héllo"}]}"#
            full.response = "partial"
            full.requestTruncated = true
            full.responseTruncated = true
            full.usage = TokenUsage(inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1)
            full.cost = USD("0.000000000001")
            let minimal = Trace(createdAt: Self.base.addingTimeInterval(1), endpoint: "/v1/embeddings")
            try await store.insert([full, minimal])
            #expect(try await store.trace(id: full.id) == full)
            #expect(try await store.trace(id: minimal.id) == minimal)
            #expect(try await store.trace(id: "no-such-id") == nil)
            try await store.ping()
        }
    }

    @Test(arguments: StoreBackend.tested)
    func insertIsIdempotentOnID(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let one = trace(0, tags: ["x"])
            try await store.insert([one])
            var changed = one
            changed.model = "other"
            changed.tags = ["x", "y"]
            try await store.insert([changed, one, trace(1)])
            #expect(try await store.count() == 2)
            #expect(try await store.trace(id: one.id) == one)
            // Within one batch too, the first trace with an id wins.
            let first = trace(2, tags: ["z"])
            var second = first
            second.model = "other"
            try await store.insert([first, second])
            #expect(try await store.count() == 3)
            #expect(try await store.trace(id: first.id) == first)
            #expect(try await store.traces(matching: TraceQuery(tag: "x")).traces.count == 1)
            #expect(try await store.traces(matching: TraceQuery(tag: "y")).traces.isEmpty)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func filtersAndPaginatesNewestFirst(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var traces: [Trace] = (0..<25).map { (index: Int) -> Trace in
                trace(Double(index), user: index % 2 == 0 ? "even" : "odd", tags: index % 5 == 0 ? ["five"] : [])
            }
            // Same millisecond: the id breaks the tie, and a page boundary may fall between them.
            traces += (0..<4).map { _ in trace(30) }
            traces[3].model = "llama3.2"
            traces[3].provider = "ollama"
            traces[4].sessionID = "session-4"
            try await store.insert(traces.shuffled())
            let newestFirst = traces.sorted {
                ($0.createdAt, $0.id) > ($1.createdAt, $1.id)
            }
            #expect(try await allPages(store, TraceQuery(limit: 10)).map(\.id) == newestFirst.map(\.id))
            #expect(try await allPages(store, TraceQuery(limit: 1)).map(\.id) == newestFirst.map(\.id))
            #expect(try await store.traces(matching: TraceQuery(user: "even")).traces.count == 13)
            let fives = try await allPages(store, TraceQuery(tag: "five", limit: 2))
            #expect(fives.map(\.id) == [20, 15, 10, 5, 0].map { traces[$0].id })
            #expect(try await store.traces(matching: TraceQuery(model: "llama3.2")).traces.map(\.id) == [traces[3].id])
            #expect(try await store.traces(matching: TraceQuery(provider: "ollama")).traces.map(\.id) == [traces[3].id])
            #expect(try await store.traces(matching: TraceQuery(sessionID: "session-4")).traces.map(\.id) == [traces[4].id])
            let window = TraceQuery(since: traces[5].createdAt, until: traces[10].createdAt)
            #expect(try await store.traces(matching: window).traces.map(\.id) == traces[5..<10].reversed().map(\.id))
            let combined = TraceQuery(user: "odd", tag: "five", since: traces[5].createdAt)
            #expect(try await store.traces(matching: combined).traces.map(\.id) == [traces[15].id, traces[5].id])
            let last = try await store.traces(matching: TraceQuery(limit: traces.count))
            #expect(last.traces.count == traces.count)
            #expect(last.nextCursor == nil)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func userFilterIsAValueNotSQL(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let sneaky = "' OR 1=1 --"
            try await store.insert([trace(0, user: "alice"), trace(1, user: sneaky, tags: [sneaky])])
            #expect(try await store.traces(matching: TraceQuery(user: "' OR '1'='1")).traces.isEmpty)
            #expect(try await store.traces(matching: TraceQuery(tag: "x') OR 1=1 --")).traces.isEmpty)
            #expect(try await store.traces(matching: TraceQuery(model: "x' OR 1=1 --")).traces.isEmpty)
            #expect(try await store.traces(matching: TraceQuery(user: sneaky)).traces.map(\.user) == [sneaky])
            #expect(try await store.traces(matching: TraceQuery(tag: sneaky)).traces.map(\.user) == [sneaky])
            #expect(try await store.count() == 2)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func statusFilters(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try await store.insert([
                trace(0), trace(1, status: .error, code: 429), trace(2, status: .error, code: 502),
                trace(3, status: .cancelled), trace(4, status: .error, code: 599),
            ])
            #expect(try await store.traces(matching: TraceQuery(status: .status(.error))).traces.count == 3)
            #expect(try await store.traces(matching: TraceQuery(status: .status(.ok))).traces.count == 1)
            #expect(try await store.traces(matching: TraceQuery(status: .code(429))).traces.count == 1)
            #expect(try await store.traces(matching: TraceQuery(status: .codeClass(5))).traces.map(\.statusCode) == [599, 502])
            #expect(try await store.traces(matching: TraceQuery(status: .codeClass(2))).traces.count == 2)
            #expect(try await store.traces(matching: TraceQuery(status: .status(.cancelled))).traces.count == 1)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func routingFilters(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var champion = trace(0)
            champion.variant = "champion"
            var challenger = trace(1, model: "fast")
            challenger.variant = "challenger"
            var shadow = trace(2, model: "fast")
            shadow.variant = "shadow"
            shadow.parentTraceID = champion.id
            var cached = trace(3)
            cached.cacheHit = true
            let plain = trace(4)
            try await store.insert([champion, challenger, shadow, cached, plain])
            func ids(_ query: TraceQuery) async throws -> [String] { try await store.traces(matching: query).traces.map(\.id) }
            #expect(try await ids(TraceQuery(variant: "champion")) == [champion.id])
            #expect(try await ids(TraceQuery(variant: "shadow")) == [shadow.id])
            #expect(try await ids(TraceQuery(variant: "nope")).isEmpty)
            #expect(try await ids(TraceQuery(parentTraceID: champion.id)) == [shadow.id])
            #expect(try await ids(TraceQuery(parentTraceID: "x' OR 1=1 --")).isEmpty)
            #expect(try await ids(TraceQuery(cacheHit: true)) == [cached.id])
            #expect(try await ids(TraceQuery(cacheHit: false)) == [plain, shadow, challenger, champion].map(\.id))
            #expect(try await ids(TraceQuery(model: "fast", variant: "challenger")) == [challenger.id])
            #expect(try await ids(TraceQuery(variant: "shadow", cacheHit: true)).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func costReportSumsExactlyAndComputesPercentiles(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var traces = (1...100).map { trace(Double($0), latency: Double($0), cost: "0.000123456789") }
            traces.append(trace(200, model: "llama3.2", status: .error, code: 502, latency: 5, cost: nil))
            // Large enough that a sum through Double would lose the last digits.
            traces += (0..<3).map { trace(300 + Double($0), model: "big", latency: 7, cost: "1234567.000000000001") }
            try await store.insert(traces)
            let rows = try await store.costReport(CostReportQuery(groupBy: .model))
            #expect(rows.map(\.key) == ["gpt-4o-mini", "big", "llama3.2"])
            let mini = try #require(rows.first { $0.key == "gpt-4o-mini" })
            #expect(mini.requests == 100)
            #expect(mini.inputTokens == 1000)
            #expect(mini.outputTokens == 500)
            #expect(mini.costUSD == Decimal(string: "0.0123456789"))
            // Percentiles come from histograms with 1% buckets.
            #expect(isClose(mini.p50LatencyMs, 50))
            #expect(isClose(mini.p95LatencyMs, 95))
            #expect(mini.errors == 0)
            let big = try #require(rows.first { $0.key == "big" })
            #expect(big.costUSD == Decimal(string: "3703701.000000000003"))
            #expect(isClose(big.p50LatencyMs, 7))
            let llama = try #require(rows.first { $0.key == "llama3.2" })
            #expect(llama.costUSD == nil)
            #expect(llama.errors == 1)
            #expect(isClose(llama.p95LatencyMs, 5))
            let window = try await store.costReport(CostReportQuery(groupBy: .provider, since: traces[10].createdAt, until: traces[20].createdAt))
            #expect(window.map(\.key) == ["openai"])
            #expect(window.first?.requests == 10)
            #expect(isClose(window.first?.p50LatencyMs, 15))
        }
    }

    @Test(arguments: StoreBackend.tested)
    func costReportByDayUserAndTag(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try await store.insert([
                trace(0, user: "u1", tags: ["a", "b"]), trace(86_400, user: "u1", tags: ["a"]), trace(90_000, tags: ["c", "c"]),
                trace(90_001),
            ])
            let days = try await store.costReport(CostReportQuery(groupBy: .day))
            #expect(days.map(\.key) == ["2026-09-22", "2026-09-21"])
            #expect(days.map(\.requests) == [3, 1])
            let users = try await store.costReport(CostReportQuery(groupBy: .user))
            #expect(users.map(\.key) == [nil, "u1"])  // ties ordered by key, null first
            let tags = try await store.costReport(CostReportQuery(groupBy: .tag))
            #expect(tags.map(\.key) == ["a", nil, "b", "c"])
            #expect(tags.map(\.requests) == [2, 1, 1, 1])
            #expect(tags.first?.costUSD == Decimal(string: "0.002"))
        }
    }

    @Test(arguments: StoreBackend.tested)
    func retentionDeletesOldTracesWithTheirTags(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let traces = (0..<10).map { trace(Double($0), tags: ["keep", "t\($0)"]) }
            try await store.insert(traces)
            #expect(try await store.deleteTraces(createdBefore: traces[6].createdAt) == 6)
            #expect(try await store.count() == 4)
            #expect(try await allPages(store, TraceQuery()).map(\.id) == traces[6...].reversed().map(\.id))
            #expect(try await store.traces(matching: TraceQuery(tag: "t5")).traces.isEmpty)
            #expect(try await store.traces(matching: TraceQuery(tag: "keep")).traces.count == 4)
            // A deleted id written again without tags must not find the old trace's tags still in place.
            var again = traces[0]
            again.tags = []
            again.createdAt = traces[9].createdAt.addingTimeInterval(1)
            try await store.insert([again])
            #expect(try await store.traces(matching: TraceQuery(tag: "t0")).traces.isEmpty)
            let tagKeys = try await store.costReport(CostReportQuery(groupBy: .tag)).compactMap(\.key)
            #expect(Set(tagKeys) == ["keep", "t6", "t7", "t8", "t9"])
            #expect(try await store.deleteTraces(createdBefore: traces[6].createdAt) == 0)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func schemaStatusTracksMigrations(_ backend: StoreBackend) async throws {
        try await backend.withFixture(migrated: false) { fixture in
            let store = fixture.store
            let fresh = try await store.schemaStatus()
            #expect(fresh.applied.isEmpty)
            #expect(fresh.pending.first == "v1-traces")
            #expect(fresh.unknown.isEmpty)
            #expect(!fresh.isCurrent)
            // Two instances starting at once: one migrates, the other waits and finds nothing to do.
            async let first: Void = store.migrate()
            async let second: Void = store.migrate()
            _ = try await (first, second)
            let migrated = try await store.schemaStatus()
            #expect(migrated.isCurrent)
            #expect(migrated.applied == fresh.pending)
            try await store.migrate()  // nothing left to do
            #expect(try await store.schemaStatus() == migrated)

            try await fixture.recordForeignMigration("v999-from-a-newer-loupe")
            let newer = try await store.schemaStatus()
            #expect(newer.unknown == ["v999-from-a-newer-loupe"])
            #expect(newer.pending.isEmpty)
            #expect(!newer.isCurrent)
            await #expect(throws: SchemaError.newerThanBinary(unknown: ["v999-from-a-newer-loupe"])) {
                try await store.migrate()
            }
        }
    }

    @Test(arguments: StoreBackend.tested)
    func insertsALargeBatch(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let statuses: [(TraceStatus, Int)] = [(.ok, 200), (.error, 429), (.error, 502), (.cancelled, 499)]
            let traces = (0..<5_000).map { (index: Int) -> Trace in
                let (status, code) = statuses[index % statuses.count]
                // Several traces per millisecond, so that ordering leans on the id as well.
                let created = Date(timeIntervalSince1970: Double(1_790_000_000_000 + Int64(index / 3)) / 1000)
                return Trace(
                    id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai",
                    model: ["gpt-4o-mini", "gpt-4o", "llama3.2"][index % 3], stream: index % 2 == 0, status: status, statusCode: code,
                    error: status == .error ? "failed \(index)" : nil, latencyMs: Double(index) / 7, ttftMs: index % 2 == 0 ? Double(index) / 3 : nil,
                    usage: TokenUsage(inputTokens: index, outputTokens: index % 5 == 0 ? nil : 2 * index),
                    cost: index % 4 == 0 ? nil : USD(picos: Int64(index) * 1_234_567), user: "user-\(index % 10)",
                    sessionID: index % 7 == 0 ? "session-\(index)" : nil, tags: index % 2 == 0 ? ["even", "n\(index)"] : [],
                    metadata: index % 3 == 0 ? ["index": .number(Double(index))] : nil,
                    request: #"{"n":\#(index)}"#, response: String(repeating: "x", count: index % 200)
                )
            }
            try await store.insert(traces)
            #expect(try await store.count() == 5_000)
            let stored = try await allPages(store, TraceQuery(limit: TraceQuery.maxLimit))
            let expected = traces.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            #expect(stored.count == expected.count)
            #expect(zip(stored, expected).first { $0 != $1 } == nil)  // names the first difference, if any
            let report = try await store.costReport(CostReportQuery(groupBy: .model))
            #expect(report.map(\.requests).reduce(0, +) == 5_000)
            let expectedPicos = traces.compactMap(\.cost?.picos).reduce(0, +)
            let reportedCost = report.compactMap(\.costUSD).reduce(Decimal(0), +)
            #expect(reportedCost == USD(picos: expectedPicos).decimal)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func textWithNULIsStoredRatherThanFailingTheBatch(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var odd = trace(0, user: "nul\u{0}user", tags: ["nul\u{0}tag"])
            odd.request = "before\u{0}after"
            odd.metadata = ["k": .string("v\u{0}")]
            try await store.insert([odd, trace(1)])
            #expect(try await store.count() == 2)
            let stored = try #require(try await store.trace(id: odd.id))
            // Both stores keep the whole text, with the NUL as U+FFFD.
            #expect(stored.request == "before\u{FFFD}after")
            #expect(stored.user == "nul\u{FFFD}user")
            #expect(stored.tags.count == 1)
            #expect(stored.metadata?["k"] != nil)
        }
    }
}
