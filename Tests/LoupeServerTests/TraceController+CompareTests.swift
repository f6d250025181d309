import Foundation
import LoupeConfig
import LoupeCore
import LoupeEvals
import LoupeServer
import LoupeSQLite
import Testing

/// `GET /api/reports/compare` over a seeded store: shadow pairs, a configured split, two models, and bad parameters.
@Suite struct TraceControllerCompareTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13:20 UTC

    static func trace(
        _ second: Double, model: String, variant: String? = nil, parent: String? = nil, latency: Double, ttft: Double? = nil,
        cost: String? = "0.001", status: TraceStatus = .ok, outputTokens: Int = 5
    ) -> Trace {
        let created = base.addingTimeInterval(second)
        var trace = Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai", model: model,
            stream: ttft != nil, status: status, statusCode: status == .ok ? 200 : 502, latencyMs: latency, ttftMs: ttft,
            usage: TokenUsage(inputTokens: 10, outputTokens: outputTokens), cost: cost.flatMap(USD.init)
        )
        trace.variant = variant
        trace.parentTraceID = parent
        return trace
    }

    /// Four primary calls to gpt-4o-mini shadowed by fast (one shadow failed, unpriced), one older pair, a shadow whose
    /// primary is gone, a shadow of another model, a split's champion and challenger calls, and a stray challenger.
    static let traces: [Trace] = {
        let primaryCalls: [(latency: Double, ttft: Double?)] = [(100, nil), (200, 30), (300, nil), (400, 50)]
        let primaries = primaryCalls.enumerated().map { index, call in
            trace(Double(index), model: "gpt-4o-mini", latency: call.latency, ttft: call.ttft)
        }
        let shadowCalls: [(latency: Double, cost: String?, status: TraceStatus)] = [(50, "0.0002", .ok), (60, "0.0002", .ok), (70, "0.0002", .ok), (500, nil, .error)]
        let shadows = shadowCalls.enumerated().map { index, call in
            trace(Double(index) + 0.5, model: "fast", variant: "shadow", parent: primaries[index].id, latency: call.latency, cost: call.cost, status: call.status, outputTokens: 7)
        }
        let olderPrimary = trace(-1000, model: "gpt-4o-mini", latency: 1000)
        return primaries + shadows + [
            olderPrimary,
            trace(-999.5, model: "fast", variant: "shadow", parent: olderPrimary.id, latency: 1000),
            trace(10, model: "fast", variant: "shadow", parent: "0190aaaa-0000-7000-8000-000000000000", latency: 1000),
            trace(11, model: "other", variant: "shadow", parent: primaries[0].id, latency: 1000),
            trace(20, model: "gpt-4o-mini", variant: "champion", latency: 100),
            trace(21, model: "gpt-4o-mini", variant: "champion", latency: 110),
            trace(22, model: "gpt-4o-mini", variant: "champion", latency: 120),
            trace(23, model: "fast", variant: "challenger", latency: 80, cost: "0.0002"),
            trace(24, model: "other", variant: "challenger", latency: 1000),
        ]
    }()

    /// Stores an eval run of `suite` as `loupe eval run` does, with one cell per model.
    static func recordEval(_ store: SQLiteTraceStore, suite: String, startedAt: Int64, scores: [(model: String, passRate: Double, meanScore: Double)]) async throws {
        let cells = scores.map { score in
            var summary = EvalSummary([])
            summary.passRate = score.passRate
            summary.meanScore = score.meanScore
            return EvalCellSummary(prompt: "Say hello", promptVersion: nil, model: score.model, summary: summary)
        }
        let result = EvalRunResult(
            suite: suite, description: "", dataset: nil, threshold: 0.8, startedAt: startedAt, durationMs: 10, cells: cells, cases: []
        )
        let definition = EvalSuite(name: suite, prompts: [.inline("Say hello")], models: scores.map(\.model), cases: [])
        _ = try await EvalRecorder(store: store).record(result, suite: definition, sourceFile: "evals/\(suite).yaml")
    }

    static func seed(_ store: SQLiteTraceStore) async throws {
        try await store.insert(traces)
        let start = base.unixMillis
        try await recordEval(store, suite: "support", startedAt: start, scores: [("fast", 0.5, 0.4)])
        try await recordEval(store, suite: "support", startedAt: start + 60_000, scores: [("gpt-4o-mini", 0.9, 0.85), ("fast", 0.7, 0.6)])
        try await recordEval(store, suite: "refunds", startedAt: start + 1000, scores: [("gpt-4o-mini", 1, 1)])
    }

    static func splitConfiguration(_ configuration: inout LoupeConfiguration) {
        var model = LoupeConfiguration.Model(provider: "openai")
        model.split = .init(champion: "gpt-4o-mini", challenger: "fast", percent: 10)
        configuration.models["gpt-4o-mini"] = model
    }

    @Test func shadowPairsSideBySide() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let reply = try await client.getJSON("/api/reports/compare?shadow=fast&since=2026-09-21T14:00:00Z")
            #expect(reply.status == 200, "\(reply.body)")
            let json = try #require(reply.json)
            #expect(json["mode"] == "shadow" && json["model"] == "fast")
            #expect(json["sides"] == .array(["primary", "shadow"]))
            #expect(json["since"] == "2026-09-21T14:00:00.000Z" && json["until"] == .null)
            #expect(json["pairs"] == 4)  // the older pair is before since; the orphan and the other model's shadow have no pair
            #expect(json["capped"] == false && json["max_rows"] == 100_000)

            let primary = try #require(json["primary"])
            #expect(primary["models"] == .array(["gpt-4o-mini"]))
            #expect(primary["requests"] == 4 && primary["errors"] == 0 && primary["error_rate"] == 0)
            #expect(primary["cost_usd"] == .number(0.004) && primary["mean_cost_usd"] == .number(0.001))
            #expect(primary["input_tokens"] == 40 && primary["output_tokens"] == 20)
            #expect(primary["p50_latency_ms"] == 200 && primary["p95_latency_ms"] == 400)
            #expect(primary["p50_ttft_ms"] == 30)  // the two streamed calls only

            let shadow = try #require(json["shadow"])
            #expect(shadow["models"] == .array(["fast"]))
            #expect(shadow["requests"] == 4 && shadow["errors"] == 1 && shadow["error_rate"] == .number(0.25))
            #expect(shadow["priced_requests"] == 3)
            #expect(shadow["cost_usd"] == .number(0.0006) && shadow["mean_cost_usd"] == .number(0.0002))
            #expect(shadow["output_tokens"] == 28)
            #expect(shadow["p50_latency_ms"] == 60 && shadow["p95_latency_ms"] == 500)
            #expect(shadow["p50_ttft_ms"] == .null)
            #expect(json["cost_delta_usd"] == .number(-0.0034) && json["mean_cost_delta_usd"] == .number(-0.0008))
            // Exact decimal digits, not a binary float's.
            #expect(reply.body.contains(#""cost_delta_usd":-0.0034"#))

            // The latest run of each suite that tried the model.
            let primaryEvals = try #require(json["eval"]?["primary"]?.arrayValue)
            #expect(primaryEvals.map { $0["suite"] } == ["refunds", "support"])
            #expect(primaryEvals.map { $0["pass_rate"] } == [1, .number(0.9)])
            #expect(primaryEvals.map { $0["mean_score"] } == [1, .number(0.85)])
            #expect(primaryEvals.allSatisfy { $0["model"] == "gpt-4o-mini" && $0["prompt"] == "Say hello" && $0["run_id"]?.stringValue != nil })
            let shadowEvals = try #require(json["eval"]?["shadow"]?.arrayValue)
            #expect(shadowEvals.count == 1)
            #expect(shadowEvals.first?["pass_rate"] == .number(0.7) && shadowEvals.first?["mean_score"] == .number(0.6))

            let everything = try await client.getJSON("/api/reports/compare?shadow=fast")
            #expect(everything.json?["pairs"] == 5)
            let none = try await client.getJSON("/api/reports/compare?shadow=fast&until=2000-01-01")
            #expect(none.json?["pairs"] == 0 && none.json?["primary"]?["requests"] == 0)
            #expect(none.json?["primary"]?["cost_usd"] == .null && none.json?["primary"]?["p50_latency_ms"] == .null)
            #expect(none.json?["primary"]?["error_rate"] == .null && none.json?["cost_delta_usd"] == .null)
        }
    }

    @Test func configuredSplitComparesChampionWithChallenger() async throws {
        try await withSeededRoutes(configure: Self.splitConfiguration, seed: Self.seed) { client in
            let reply = try await client.getJSON("/api/reports/compare?split=gpt-4o-mini")
            #expect(reply.status == 200, "\(reply.body)")
            let json = try #require(reply.json)
            #expect(json["mode"] == "split" && json["sides"] == .array(["champion", "challenger"]) && json["pairs"] == .null)
            let champion = try #require(json["champion"])
            #expect(champion["models"] == .array(["gpt-4o-mini"]) && champion["requests"] == 3)
            #expect(champion["cost_usd"] == .number(0.003) && champion["p50_latency_ms"] == 110)
            // The other split's challenger and fast's shadow calls are not this split's challenger.
            let challenger = try #require(json["challenger"])
            #expect(challenger["models"] == .array(["fast"]) && challenger["requests"] == 1)
            #expect(challenger["cost_usd"] == .number(0.0002) && challenger["p95_latency_ms"] == 80)
            #expect(json["cost_delta_usd"] == .number(-0.0028) && json["mean_cost_delta_usd"] == .number(-0.0008))
            #expect(json["eval"]?["champion"]?.arrayValue?.count == 2)
            #expect(json["eval"]?["challenger"]?.arrayValue?.first?["pass_rate"] == .number(0.7))
        }
    }

    @Test func unconfiguredSplitCountsEveryChampionAndChallenger() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let json = try #require(try await client.getJSON("/api/reports/compare?split=gpt-4o-mini").json)
            #expect(json["champion"]?["requests"] == 3)
            #expect(json["challenger"]?["requests"] == 2 && json["challenger"]?["models"] == .array(["fast", "other"]))
        }
    }

    @Test func twoModelsCountEveryCallOfEach() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let json = try #require(try await client.getJSON("/api/reports/compare?a=gpt-4o-mini&b=fast").json)
            #expect(json["mode"] == "models" && json["model"] == .null && json["sides"] == .array(["a", "b"]))
            #expect(json["a"]?["requests"] == 8 && json["b"]?["requests"] == 7)
            #expect(json["b"]?["errors"] == 1)
            #expect(json["eval"]?["b"]?.arrayValue?.map { $0["model"] } == ["fast"])
        }
    }

    @Test(arguments: [
        ("/api/reports/compare", "shadow"),
        ("/api/reports/compare?since=24h", "shadow"),
        ("/api/reports/compare?shadow=fast&split=gpt-4o-mini", "split"),
        ("/api/reports/compare?shadow=fast&a=x&b=y", "a"),
        ("/api/reports/compare?a=gpt-4o-mini", "b"),
        ("/api/reports/compare?b=fast", "a"),
        ("/api/reports/compare?shadow=", "shadow"),
        ("/api/reports/compare?shadow=fast&since=yesterday-ish", "since"),
        ("/api/reports/compare?a=x&b=y&until=soon", "until"),
    ])
    func badParametersAreClearErrors(_ path: String, _ param: String) async throws {
        try await withSeededRoutes(seed: { _ in }) { client in
            let reply = try await client.getJSON(path)
            #expect(reply.status == 400, "\(path): \(reply.body)")
            let error = try #require(reply.json?["error"], "\(path): \(reply.body)")
            #expect(error["param"] == .string(param), "\(path): \(reply.body)")
            #expect(error["code"] == "invalid_parameter" && error["type"] == "invalid_request_error")
            #expect(error["message"]?.stringValue?.isEmpty == false)
        }
    }
}
