import Foundation
import LoupeCore
import LoupeEvals
import LoupeSQLite

/// A store for the dashboard's tests: traces of the last hours with known spend, a prompt with two versions,
/// two eval runs, an experiment with metric history and a registered model.
enum DashboardSeed {
    /// Priced calls per model: gpt-4o-mini 3 × $0.0012 = $0.0036, claude-3-haiku 2 × $0.00025 = $0.0005.
    static func trace(minutesAgo: Double, model: String, cost: String?, status: TraceStatus = .ok, latency: Double = 120, request: String? = nil, now: Date) -> Trace {
        let created = now.addingTimeInterval(-minutesAgo * 60)
        var trace = Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai", model: model,
            status: status, statusCode: status == .ok ? 200 : 502, latencyMs: latency,
            usage: TokenUsage(inputTokens: 100, outputTokens: 20), cost: cost.flatMap(USD.init), user: "alice",
            request: request ?? #"{"model":"\#(model)","messages":[{"role":"user","content":"Say hello"}]}"#,
            response: #"{"choices":[{"message":{"role":"assistant","content":"Hello!"}}]}"#
        )
        trace.promptName = "support/greeting"
        trace.promptVersion = 2
        trace.guardrails = [GuardrailResult(direction: .input, check: "pii", action: .redact, category: "email", count: 1)]
        return trace
    }

    /// The spend figures above, plus a failed call with a hostile model name and body; `filler` older unpriced calls.
    static func traces(now: Date, filler: Int = 0) -> [Trace] {
        var traces = [
            trace(minutesAgo: 50, model: "gpt-4o-mini", cost: "0.0012", latency: 100, now: now),
            trace(minutesAgo: 40, model: "gpt-4o-mini", cost: "0.0012", latency: 200, now: now),
            trace(minutesAgo: 30, model: "gpt-4o-mini", cost: "0.0012", latency: 300, now: now),
            trace(minutesAgo: 20, model: "claude-3-haiku", cost: "0.00025", latency: 400, now: now),
            trace(minutesAgo: 10, model: "claude-3-haiku", cost: "0.00025", latency: 500, now: now),
            trace(minutesAgo: 5, model: "<script>alert(1)</script>", cost: nil, status: .error, latency: 600,
                  request: #"{"messages":[{"role":"user","content":"<script>steal()</script>"}]}"#, now: now),
        ]
        for index in 0..<filler {
            traces.append(trace(minutesAgo: 120 + Double(index), model: "filler", cost: nil, now: now))
        }
        return traces
    }

    /// Stores `traces` (ids are random: build them once and keep them), the prompt and, with `tracking`, the runs and models.
    static func seed(_ store: SQLiteTraceStore, _ traces: [Trace], now: Date = Date(), tracking: Bool = false) async throws {
        try await store.insert(traces)
        for (text, hash) in [("Hello {{name}}.\nHow can I help?", "h1"), ("Hello {{name}}!\nHow can I help you today?", "h2")] {
            _ = try await store.createPromptVersion(
                PromptDraft(name: "support/greeting", template: .text(text), labels: hash == "h2" ? ["production"] : []),
                contentHash: hash, onlyIfChanged: false
            )
        }
        guard tracking else { return }
        let start = now.unixMillis - 3_600_000
        try await TraceControllerCompareTests.recordEval(store, suite: "support", startedAt: start, scores: [("gpt-4o-mini", 0.8, 0.75), ("claude-3-haiku", 0.6, 0.55)])
        try await TraceControllerCompareTests.recordEval(store, suite: "support", startedAt: start + 60_000, scores: [("gpt-4o-mini", 0.9, 0.85), ("claude-3-haiku", 0.7, 0.65)])
        let experiment = try await store.createExperiment(name: "fine-tune-sweep", artifactLocation: nil, tags: [:])
        for (index, rate) in [0.01, 0.003].enumerated() {
            let info = RunInfo(id: "run\(index)" + String(repeating: "0", count: 28), experimentID: experiment.id, name: "lr-\(rate)", userID: "alice",
                               status: .finished, startTime: start + Int64(index) * 1000, artifactURI: "")
            _ = try await store.createRun(info, tags: [:])
            let losses = (0..<20).map { step in MetricPoint(key: "loss", value: 2.0 / Double(step + 1) + rate * 10, timestamp: start, step: Int64(step)) }
            try await store.logBatch(runID: info.id, metrics: losses, params: [(key: "learning_rate", value: String(rate))], tags: [])
        }
        _ = try await store.createRegisteredModel(name: "support-classifier", description: "Routes support tickets.", tags: [:])
        _ = try await store.createModelVersion(name: "support-classifier", source: "runs:/run0/model", runID: "run0" + String(repeating: "0", count: 28), description: "", tags: [:])
        _ = try await store.createModelVersion(name: "support-classifier", source: "runs:/run1/model", runID: "run1" + String(repeating: "0", count: 28), description: "", tags: [:])
        _ = try await store.transitionModelVersion(name: "support-classifier", version: 2, stage: "Production", archiveExisting: false)
        try await store.setAlias(name: "support-classifier", alias: "champion", version: 2)
    }
}
