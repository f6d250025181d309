import Foundation
import LoupeCore
import Testing

/// The `ComparisonStore` contract, run against every backend.
@Suite struct ComparisonStoreTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)

    func withStore(_ backend: StoreBackend, _ body: (any TraceStore & ComparisonStore) async throws -> Void) async throws {
        try await backend.withStore { store in try await body(try #require(store as? any TraceStore & ComparisonStore)) }
    }

    func trace(_ second: Double, model: String?, variant: String? = nil, parent: String? = nil, latency: Double = 10) -> Trace {
        let created = Self.base.addingTimeInterval(second)
        var trace = Trace(id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", model: model, latencyMs: latency)
        trace.variant = variant
        trace.parentTraceID = parent
        return trace
    }

    @Test(arguments: StoreBackend.tested)
    func factsCarryWhatAComparisonNeeds(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var full = trace(0, model: "fast", variant: "challenger", latency: 123.25)
            full.stream = true
            full.ttftMs = 45.5
            full.status = .error
            full.statusCode = 502
            full.usage = TokenUsage(inputTokens: 11, outputTokens: 7)
            full.cost = USD("0.000123456789")
            full.cacheHit = true
            let bare = trace(1, model: nil)
            try await store.insert([full, bare])
            #expect(try await store.comparisonFacts(ComparisonFilter(model: "fast"), limit: 10) == [ComparisonFact(full)])
            let expected = ComparisonFact(
                createdAtMillis: full.createdAt.unixMillis, model: "fast", variant: "challenger", status: .error, latencyMs: 123.25,
                ttftMs: 45.5, inputTokens: 11, outputTokens: 7, costPicos: 123_456_789, cacheHit: true
            )
            #expect(ComparisonFact(full) == expected)
            #expect(try await store.comparisonFacts(ComparisonFilter(), limit: 10) == [ComparisonFact(bare), ComparisonFact(full)])
        }
    }

    @Test(arguments: StoreBackend.tested)
    func factsFilterByModelVariantAndWindowNewestFirst(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let traces = [
                trace(0, model: "gpt-4o-mini", variant: "champion"), trace(1, model: "fast", variant: "challenger"),
                trace(2, model: "gpt-4o-mini", variant: "champion"), trace(3, model: "gpt-4o-mini"), trace(4, model: "fast", variant: "shadow"),
                trace(5, model: "gpt-4o-mini", variant: "champion"),
            ]
            try await store.insert(traces.shuffled())
            func created(_ filter: ComparisonFilter, limit: Int = 100) async throws -> [Int64] {
                try await store.comparisonFacts(filter, limit: limit).map(\.createdAtMillis)
            }
            func millis(_ indexes: Int...) -> [Int64] { indexes.map { traces[$0].createdAt.unixMillis } }
            #expect(try await created(ComparisonFilter(model: "gpt-4o-mini")) == millis(5, 3, 2, 0))
            #expect(try await created(ComparisonFilter(model: "gpt-4o-mini", variant: "champion")) == millis(5, 2, 0))
            #expect(try await created(ComparisonFilter(variant: "challenger")) == millis(1))
            #expect(try await created(ComparisonFilter(model: "fast")) == millis(4, 1))
            #expect(try await created(ComparisonFilter(variant: "champion"), limit: 2) == millis(5, 2))
            let window = ComparisonFilter(variant: "champion", since: traces[2].createdAt, until: traces[5].createdAt)
            #expect(try await created(window) == millis(2))
            // Values are bound, never spliced into the SQL.
            #expect(try await created(ComparisonFilter(model: "x' OR 1=1 --")).isEmpty)
            #expect(try await created(ComparisonFilter(variant: "x' OR '1'='1")).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func shadowPairsJoinEachShadowToItsPrimary(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let first = trace(0, model: "gpt-4o-mini", latency: 100)
            let second = trace(1, model: "gpt-4o", latency: 200)
            var firstShadow = trace(0.2, model: "fast", variant: "shadow", parent: first.id, latency: 10)
            firstShadow.cost = USD("0.0002")
            let secondShadow = trace(1.2, model: "fast", variant: "shadow", parent: second.id, latency: 20)
            let orphan = trace(2, model: "fast", variant: "shadow", parent: "0190aaaa-0000-7000-8000-000000000000")
            let otherModel = trace(3, model: "slow", variant: "shadow", parent: first.id)
            // A challenger that happens to name a parent is not a shadow.
            let notShadow = trace(4, model: "fast", variant: "challenger", parent: first.id)
            try await store.insert([first, second, firstShadow, secondShadow, orphan, otherModel, notShadow].shuffled())

            let pairs = try await store.shadowPairs(shadowModel: "fast", since: nil, until: nil, limit: 10)
            #expect(pairs == [
                ShadowPair(primary: ComparisonFact(second), shadow: ComparisonFact(secondShadow)),
                ShadowPair(primary: ComparisonFact(first), shadow: ComparisonFact(firstShadow)),
            ])
            #expect(try await store.shadowPairs(shadowModel: "fast", since: nil, until: nil, limit: 1).map(\.primary.model) == ["gpt-4o"])
            #expect(try await store.shadowPairs(shadowModel: "fast", since: first.createdAt, until: second.createdAt, limit: 10).map(\.shadow.latencyMs) == [10])
            #expect(try await store.shadowPairs(shadowModel: "slow", since: nil, until: nil, limit: 10).map(\.primary.latencyMs) == [100])
            #expect(try await store.shadowPairs(shadowModel: "' OR 1=1 --", since: nil, until: nil, limit: 10).isEmpty)
        }
    }
}
