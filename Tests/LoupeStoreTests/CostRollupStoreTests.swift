import Foundation
import LoupeCore
import Testing

/// Cost reports read rollups for whole days and traces for the partial days at a window's edges.
/// Each case here checks a store's report against the answer worked out from the traces themselves.
@Suite struct CostRollupStoreTests {
    static let midnight = Date(timeIntervalSince1970: 1_789_948_800)  // 2026-09-21 00:00 UTC
    static let hour = 3_600.0

    /// 540 calls over five days, at uneven times, spread over models, users and tags, some failed or unpriced.
    static let traces: [Trace] = (0..<540).map { index in
        let created = midnight.addingTimeInterval(Double(index) * 800 + Double(index % 7) * 13.5 - 86_400)
        let failed = index % 11 == 0
        return Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions",
            provider: index % 5 == 0 ? "local" : "openai", model: index % 13 == 0 ? nil : ["gpt-4o-mini", "gpt-4o", "fast"][index % 3],
            status: failed ? .error : .ok, statusCode: failed ? 502 : 200, latencyMs: Double((index * 37) % 900) + 0.25,
            usage: TokenUsage(inputTokens: index % 9 == 0 ? nil : index * 3, outputTokens: index),
            cost: index % 6 == 0 ? nil : USD(picos: Int64(index) * 123_456_789),
            user: index % 4 == 0 ? nil : "user-\(index % 4)", tags: index % 3 == 0 ? [] : ["t\(index % 2)", "t\(index % 5)"],
            promptName: index % 7 == 0 ? nil : ["greet", "support/reply"][index % 2], promptVersion: index % 7 == 0 ? nil : index % 3 + 1,
            keyID: index % 5 == 1 ? nil : "key_\(index % 3)", keyName: index % 5 == 1 ? nil : ["search-app", "batch", "web"][index % 3]
        )
    }

    /// Windows on and off day boundaries, within one day, and open at either end.
    static let windows: [(since: Date?, until: Date?)] = [
        (nil, nil),
        (midnight, nil),
        (midnight.addingTimeInterval(7.5 * hour), nil),
        (nil, midnight.addingTimeInterval(2 * 86_400 + 5 * hour)),
        (midnight.addingTimeInterval(-3 * hour), midnight.addingTimeInterval(3 * 86_400 + 0.5 * hour)),
        (midnight.addingTimeInterval(86_400), midnight.addingTimeInterval(3 * 86_400)),
        (midnight.addingTimeInterval(2 * hour), midnight.addingTimeInterval(9 * hour)),
        (midnight.addingTimeInterval(9 * hour), midnight.addingTimeInterval(2 * hour)),
    ]

    /// Every trace batch rewrites its rollup rows; pglz recompressing their histograms was an eighth of the server's work.
    @Test(.enabled(if: StoreBackend.tested.contains(.postgres), "needs PostgreSQL: `source .ci/postgres`"))
    func postgresCompressesRollupHistogramsWithLZ4() async throws {
        try await StoreBackend.postgres.withFixture(migrated: true) { fixture in
            let lz4Available = try await fixture.count(
                "SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
            )
            try #require(lz4Available == 1, "this PostgreSQL server was built without lz4")
            let columns = try await fixture.count("""
                SELECT count(*) FROM pg_attribute WHERE attrelid = 'cost_rollups'::regclass
                AND attname = 'latency_counts' AND attcompression = 'l'
                """)
            #expect(columns == 1)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func reportsMatchTheTracesForEveryWindowAndDimension(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            // In several batches, one of them repeated as a retried flush would be: it must count once.
            for start in stride(from: 0, to: Self.traces.count, by: 100) {
                try await store.insert(Array(Self.traces[start..<min(start + 100, Self.traces.count)]))
            }
            try await store.insert(Array(Self.traces[200..<300]) + [Self.traces[0], Self.traces[0]])
            try await expectReportsMatch(store, Self.traces)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func aLargeBatchPartlyStoredAlreadyCountsEachTraceOnce(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            // PostgreSQL writes a batch this size as two statements at once, each adding totals counted in Swift
            // when all its traces are new. Here the first half was stored before and the second half partly, as a
            // flush retried after a failure would find them: both fall back to counting what they did insert.
            try await store.insert(Array(Self.traces[0..<270]) + Array(Self.traces[400..<420]))
            try await store.insert(Self.traces)
            try await expectReportsMatch(store, Self.traces)
            // And a batch of new traces only, on top, with latencies seen before: PostgreSQL's rollup rows keep their
            // buckets and add the batch's counts bucket by bucket (the general merge runs for the batches above).
            let later = Self.traces.map { trace in
                var copy = trace
                copy.id = TraceID.make(at: trace.createdAt)
                return copy
            }
            try await store.insert(later)
            try await expectReportsMatch(store, Self.traces + later)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func latencyHistogramsAddUpWhateverRangeEachBatchCovers(_ backend: StoreBackend) async throws {
        try await backend.withFixture(migrated: true) { fixture in
            // One day and model, batch after batch. On PostgreSQL each adds to the same dense rollup row: only zeros
            // (cache hits) at first, then a range, one inside it, one past both its ends, and zeros again.
            let batches: [[Double]] = [[0, 0, 0], [50, 52, 55, 60, 60], [52, 53, 53, 54], [0.3, 1, 58, 480, 900], [0, 0.0005]]
            var expected = LatencyHistogram()
            var offset = 0.0
            for latencies in batches {
                let traces = latencies.map { latency in
                    offset += 1
                    let created = Self.midnight.addingTimeInterval(offset)
                    return Trace(
                        id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", model: "m", latencyMs: latency
                    )
                }
                try await fixture.store.insert(traces)
                latencies.forEach { expected.record($0) }
                let row = try #require(try await fixture.store.costReport(CostReportQuery(groupBy: .model)).first)
                #expect(row.requests == Int(expected.total))
                // The same buckets as a histogram counted in one go, so the same percentiles to the bit.
                #expect(row.p50LatencyMs == expected.percentile(0.5) && row.p95LatencyMs == expected.percentile(0.95), "\(latencies)")
                guard backend == .postgres else { continue }
                let dense = expected.dense
                let counts = "{" + dense.counts.map(String.init).joined(separator: ",") + "}"
                let first = dense.firstBucket.map { "= \($0)" } ?? "IS NULL"
                #expect(try await fixture.count("""
                    SELECT count(*) FROM cost_rollups WHERE dimension = 'model' AND latency_zero = \(dense.zeroCount)
                    AND latency_first \(first) AND latency_counts = '\(counts)'::int8[]
                    """) == 1, "\(latencies)")
            }
        }
    }

    @Test(.enabled(if: StoreBackend.tested.contains(.postgres), "needs PostgreSQL: `source .ci/postgres`"))
    func postgresRollupsWithSparseHistogramsAreCountedAgainAsDense() async throws {
        try await StoreBackend.postgres.withFixture(migrated: true) { fixture in
            try await fixture.store.insert(Self.traces)
            // Back to v20's rollup rows (sorted bucket lists), with rows in them, as a store upgraded in place has.
            try await fixture.execute("ALTER TABLE cost_rollups DROP COLUMN latency_zero, DROP COLUMN latency_first, DROP COLUMN latency_counts")
            try await fixture.execute("ALTER TABLE cost_rollups ADD COLUMN latency_buckets INT4[] NOT NULL DEFAULT '{1}', ADD COLUMN latency_counts INT8[] NOT NULL DEFAULT '{1}'")
            try await fixture.execute("DELETE FROM loupe_migrations WHERE name = 'v21-dense-latency'")
            #expect(try await fixture.count("SELECT count(*) FROM cost_rollups") > 0)
            try await fixture.store.migrate()
            try await expectReportsMatch(fixture.store, Self.traces)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func aPartialDayLargerThanOneReadIsCountedWhole(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            // More calls inside one partial day than a store reads from the traces at once (20,000 on
            // PostgreSQL), many sharing a millisecond, so that reading resumes by (time, id).
            let count = 25_000
            let traces = (0..<count).map { index in
                let created = Self.midnight.addingTimeInterval(3 * Self.hour + Double(index / 4) / 1000)
                return Trace(
                    id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", model: "gpt-4o-mini",
                    latencyMs: 10, usage: TokenUsage(inputTokens: 1, outputTokens: 2), cost: USD(picos: 7)
                )
            }
            try await store.insert(traces)
            let window = CostReportQuery(
                groupBy: .model, since: Self.midnight.addingTimeInterval(Self.hour), until: Self.midnight.addingTimeInterval(20 * Self.hour)
            )
            #expect(CostReportPlan(window).wholeDays == nil)
            let row = try #require(try await store.costReport(window).first)
            #expect(row.requests == count && row.inputTokens == count && row.outputTokens == 2 * count)
            #expect(row.costUSD == USD(picos: 7 * Int64(count)).decimal)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func pruningInTheMiddleOfADayKeepsTheRestOfThatDay(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try await store.insert(Self.traces)
            let cutoff = Self.midnight.addingTimeInterval(86_400 + 10.25 * Self.hour)
            let kept = Self.traces.filter { $0.createdAt.unixMillis >= cutoff.unixMillis }
            #expect(try await store.deleteTraces(createdBefore: cutoff) == Self.traces.count - kept.count)
            try await expectReportsMatch(store, kept)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func rebuildingRestoresRollupsFromTheTraces(_ backend: StoreBackend) async throws {
        try await backend.withFixture(migrated: true) { fixture in
            try await fixture.store.insert(Self.traces)
            try await fixture.execute("DELETE FROM cost_rollups WHERE dimension = 'model'")
            #expect(try await fixture.store.costReport(CostReportQuery(groupBy: .model)).isEmpty)
            try await fixture.store.rebuildCostRollups()
            try await expectReportsMatch(fixture.store, Self.traces)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func migratingAStoreFromBeforeRollupsFillsThemFromItsTraces(_ backend: StoreBackend) async throws {
        try await backend.withFixture(migrated: true) { fixture in
            try await fixture.store.insert(Self.traces)
            // Back to the schema of a Loupe that kept no rollups and no prompt columns, with its traces in place.
            try await fixture.execute("DROP TABLE cost_rollups")
            if backend == .sqlite { try await fixture.execute("DROP INDEX traces_prompt") }
            try await fixture.execute("ALTER TABLE traces DROP COLUMN prompt_name")
            try await fixture.execute("ALTER TABLE traces DROP COLUMN prompt_version")
            // With every later migration that changes the rollups, so that they run again after v2 recreates the table.
            let pending = ["v2-cost-rollups", "v5-trace-prompts", "v18-rollup-shards", "v20-rollup-lz4", "v21-dense-latency"]
            let names = pending.map { "'\($0)'" }.joined(separator: ", ")
            try await fixture.execute(backend == .sqlite
                ? "DELETE FROM grdb_migrations WHERE identifier IN (\(names))"
                : "DELETE FROM loupe_migrations WHERE name IN (\(names))")
            #expect(try await fixture.store.schemaStatus().pending == pending)
            try await fixture.store.migrate()
            let withoutPrompts = Self.traces.map { trace in
                var old = trace
                (old.promptName, old.promptVersion) = (nil, nil)
                return old
            }
            try await expectReportsMatch(fixture.store, withoutPrompts)
        }
    }

    func expectReportsMatch(_ store: any TraceStore, _ traces: [Trace], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for window in Self.windows {
            for dimension in CostDimension.allCases {
                let query = CostReportQuery(groupBy: dimension, since: window.since, until: window.until)
                let reported = try await store.costReport(query)
                let expected = Self.expectedReport(traces, query)
                let context = Comment(rawValue: "\(dimension) from \(String(describing: window.since)) until \(String(describing: window.until))")
                #expect(reported.map(\.key) == expected.map(\.key), context, sourceLocation: sourceLocation)
                for (row, want) in zip(reported, expected) {
                    #expect(row.requests == want.requests && row.inputTokens == want.inputTokens, context, sourceLocation: sourceLocation)
                    #expect(row.outputTokens == want.outputTokens && row.errors == want.errors, context, sourceLocation: sourceLocation)
                    #expect(row.costUSD == want.costUSD, context, sourceLocation: sourceLocation)
                    #expect(Self.within(row.p50LatencyMs, want.p50LatencyMs), context, sourceLocation: sourceLocation)
                    #expect(Self.within(row.p95LatencyMs, want.p95LatencyMs), context, sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// The report worked out directly: filter, group, exact sums, nearest-rank percentiles of the sorted latencies.
    static func expectedReport(_ traces: [Trace], _ query: CostReportQuery) -> [CostReportRow] {
        let inWindow = traces.filter { trace in
            let millis = trace.createdAt.unixMillis
            return query.since.map { millis >= $0.unixMillis } ?? true && query.until.map { millis < $0.unixMillis } ?? true
        }
        var groups: [String?: [Trace]] = [:]
        for trace in inWindow {
            let keys: [String?] = switch query.groupBy {
            case .model: [trace.model]
            case .provider: [trace.provider]
            case .user: [trace.user]
            case .day: [trace.createdAt.formatted(.iso8601.year().month().day())]
            case .tag: trace.tags.isEmpty ? [nil] : Array(Set(trace.tags))
            case .prompt: [trace.promptName.map { "\($0)@\(trace.promptVersion!)" }]
            case .key: [trace.keyName]
            }
            for key in keys { groups[key, default: []].append(trace) }
        }
        let rows = groups.map { key, members in
            let costs = members.compactMap(\.cost?.picos)
            let latencies = members.map(\.latencyMs).sorted()
            func rank(_ fraction: Double) -> Double { latencies[max(0, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)] }
            return CostReportRow(
                key: key, requests: members.count, inputTokens: members.compactMap(\.usage.inputTokens).reduce(0, +),
                outputTokens: members.compactMap(\.usage.outputTokens).reduce(0, +),
                costUSD: costs.isEmpty ? nil : USD(picos: costs.reduce(0, +)).decimal,
                errors: members.filter { $0.status == .error }.count, p50LatencyMs: rank(0.5), p95LatencyMs: rank(0.95)
            )
        }
        return rows.sorted { lhs, rhs in
            if lhs.requests != rhs.requests { return lhs.requests > rhs.requests }
            return (lhs.key == nil ? 0 : 1, lhs.key ?? "") < (rhs.key == nil ? 0 : 1, rhs.key ?? "")
        }
    }

    static func within(_ reported: Double?, _ exact: Double?) -> Bool {
        guard let reported, let exact else { return reported == nil && exact == nil }
        return abs(reported - exact) <= exact * LatencyHistogram.relativeAccuracy + 1e-9
    }
}
