import Foundation
import LoupeConfig
import LoupeCore
import LoupeEvals
import LoupePrompts
import LoupeServer
import LoupeSQLite
import LoupeTestSupport
import Testing

/// `loupe eval run` end to end: a real Loupe started in-process on a real socket, the fake upstream with
/// scripted answers, and a real SQLite file that keeps the traces and the tracking runs.
@Suite struct EvalSessionTests {
    /// The fake's answers: the support question, the judge (whose message holds "Rubric:"), and the rest.
    static let replies = [
        FakeScriptedReply(when: "Rubric:", reply: #"{"pass": true, "score": 0.8, "reason": "it is polite"}"#),
        FakeScriptedReply(when: "invoice", reply: "A person from our billing team will follow up about your invoice."),
    ]

    /// A fresh store with the judge prompt and a support prompt in the registry; its URL and folder.
    func seededStore() async throws -> (url: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-eval-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("loupe.db").path
        let store = try SQLiteTraceStore(path: path)
        try await store.migrate()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../prompts").standardized.path
        let judge = try PromptFile.parse(String(contentsOfFile: root + "/evals/llm-rubric.yaml", encoding: .utf8), name: "evals/llm-rubric", file: "llm-rubric.yaml")
        _ = try await store.createPromptVersion(judge, contentHash: judge.contentHash, onlyIfChanged: true)
        let support = try PromptFile.parse("""
            type: chat
            prompt:
              - {role: system, content: "You answer for {{company}}."}
              - {role: user, content: "{{message}}"}
            labels: [production]
            """, name: "support/reply", file: "reply.yaml")
        _ = try await store.createPromptVersion(support, contentHash: support.contentHash, onlyIfChanged: true)
        return ("sqlite:\(path)", directory)
    }

    func configuration(store url: String, directory: URL, upstream: RunningFakeUpstream) -> LoupeConfiguration {
        LoupeConfiguration(
            store: .init(url: url, spoolPath: directory.appendingPathComponent("traces.spool").path),
            providers: [
                "fake": .init(baseURL: upstream.baseURL, apiKey: "sk-provider", timeoutMs: 10_000),
                // Nothing listens on port 9: every call to it fails to connect.
                "down": .init(baseURL: "http://127.0.0.1:9/v1", apiKey: "sk-provider", timeoutMs: 300),
            ],
            models: ["broken": .init(provider: "down", upstreamModel: "gpt-4o-mini")],
            defaultProvider: "fake"
        )
    }

    @Test func aSuiteRunsThroughTheProxyLeavesTracesAndIsStoredAsTrackingRuns() async throws {
        let (url, directory) = try await seededStore()
        let suite = try EvalSuite.parse(yaml: """
            prompts: [ "support/reply:production", "Say hello for {{company}}." ]
            models: [ gpt-4o-mini ]
            tests:
              - vars: { company: Acme, message: "Where is my invoice?" }
                expected: billing team
                assert:
                  - { type: llm-rubric, value: "is polite", metric: tone }
                  - { type: similar, value: "A person from our billing team will follow up about your invoice.", threshold: 0.99 }
            default_assert:
              - { type: icontains, value: "{{expected}}" }
              - { type: cost, threshold: 0.01 }
            threshold: 0.5
            """, file: "/evals/support-check.yaml")
        let result = try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-provider", scriptedReplies: Self.replies)) { upstream in
            try await EvalSession.run(suite, sourceFile: "evals/support-check.yaml", configuration: configuration(store: url, directory: directory, upstream: upstream))
        }
        // The registry prompt was pinned to its version; the inline one answered the default reply.
        #expect(result.cells.map(\.prompt) == ["support/reply@1", "Say hello for {{company}}."])
        #expect(result.cells.map(\.promptVersion) == [1, nil])
        let registryCase = try #require(result.cases.first)
        #expect(registryCase.status == .pass, "\(registryCase.checks)")
        #expect(registryCase.checks.map(\.type) == ["icontains", "cost", "llm-rubric", "similar"])
        #expect(registryCase.checks[2].score == 0.8 && registryCase.checks[3].pass)
        let inlineCase = try #require(result.cases.last)
        #expect(inlineCase.status == .fail && inlineCase.output?.text == "Hello from the fake upstream.")
        #expect(result.summary.passRate == 0.5 && result.passed)
        #expect(result.summary.namedScores["tone"] == 0.8)

        // Every case's trace is in the store, priced as the x-loupe-cost-usd header said, and tagged.
        let store = try SQLiteTraceStore(path: String(url.dropFirst("sqlite:".count)))
        for item in result.cases {
            let output = try #require(item.output)
            let traceID = try #require(output.traceID)
            let cost = try #require(output.costUSD)
            let trace = try #require(try await store.trace(id: traceID))
            #expect(trace.cost?.decimal == Decimal(string: String(cost)))
            #expect(trace.tags.contains("eval") && trace.tags.contains("eval:support-check"))
        }
        let registryTrace = try #require(registryCase.output?.traceID)
        #expect(try await store.trace(id: registryTrace)?.promptVersion == 1)
        // The judge's and the embedding's calls went through the proxy too.
        #expect(try await store.traces(matching: TraceQuery(tag: "eval-judge")).traces.count == 2)
        #expect(try await store.traces(matching: TraceQuery(tag: "eval-embedding")).traces.count == 2)

        // The tracking module has the run, one child per prompt × model, and every case.
        let runID = try #require(result.runID)
        let run = try #require(try await store.run(id: runID))
        #expect(run.params["suite"] == "support-check" && run.params["threshold"] == "0.5")
        #expect(run.metrics["pass_rate"]?.value == 0.5 && run.metrics["cases"]?.value == 2 && run.info.status == .finished)
        let experiment = try #require(try await store.experiment(id: run.info.experimentID))
        #expect(experiment.name == "evals/support-check" && experiment.tags["loupe.kind"] == "evals")
        let cells = result.cells.compactMap(\.runID)
        #expect(cells.count == 2)
        let firstCell = try #require(try await store.run(id: cells[0]))
        #expect(firstCell.tags["mlflow.parentRunId"] == run.info.id && firstCell.params["prompt_version"] == "1" && firstCell.metrics["pass_rate"]?.value == 1)
        #expect(try await store.evalCases(runID: run.info.id).count == 2)

        // Read back as the API and `loupe eval compare` read it.
        let stored = try #require(try await EvalRunReader(store: store).run(id: run.info.id))
        #expect(stored.cases == result.cases && stored.cells.count == 2 && stored.run.passed == true)
        #expect(try await EvalRunReader(store: store).list(suite: "support-check", limit: 10).map(\.runID) == [run.info.id])
        #expect(try await EvalRunReader(store: store).list(suite: "other", limit: 10).isEmpty)
    }

    @Test func aProviderThatFailsIsAnErrorAfterRetriesNotAFailure() async throws {
        let (url, directory) = try await seededStore()
        let suite = try EvalSuite.parse(yaml: """
            prompts: [ "Hello {{name}}" ]
            models: [ broken, gpt-4o-mini ]
            tests: [ { vars: { name: Ann } } ]
            threshold: 1
            """, file: "/evals/outage.yaml")
        let options = EvalRunner.Options(maxAttempts: 3, baseDelaySeconds: 0.01)
        let result = try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-provider")) { upstream in
            try await EvalSession.run(suite, sourceFile: "outage.yaml", configuration: configuration(store: url, directory: directory, upstream: upstream), options: options)
        }
        let failed = try #require(result.cases.first)
        #expect(failed.status == .error && failed.attempts == 3 && failed.output == nil)
        #expect(failed.error?.contains("HTTP 502") == true, "\(failed.error ?? "")")
        #expect(result.cases.last?.status == .pass)
        #expect(result.summary.errors == 1 && result.summary.failed == 0 && result.summary.passRate == 0.5 && !result.passed)
        // Each attempt went through the proxy and left a trace of its own.
        let store = try SQLiteTraceStore(path: String(url.dropFirst("sqlite:".count)))
        #expect(try await store.traces(matching: TraceQuery(model: "broken")).traces.count == 3)
    }

    @Test func withAuthOnTheCasesCarryTheMasterKey() async throws {
        let (url, directory) = try await seededStore()
        let suite = try EvalSuite.parse(yaml: """
            prompts: [ "Say hello to {{name}}." ]
            models: [ gpt-4o-mini ]
            tests: [ { vars: { name: Ann }, assert: [ { type: icontains, value: hello } ] } ]
            """, file: "/evals/auth.yaml")
        let result = try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-provider")) { upstream in
            var configuration = configuration(store: url, directory: directory, upstream: upstream)
            configuration.masterKey = "mk-0123456789abcdef0123456789abcdef"
            return try await EvalSession.run(suite, sourceFile: "auth.yaml", configuration: configuration)
        }
        #expect(result.cases.first?.status == .pass, "\(result.cases.first?.error ?? "")")
    }

    @Test func anUnknownPromptStopsTheRunBeforeAnyCall() async throws {
        let (url, directory) = try await seededStore()
        let suite = EvalSuite(name: "nope", prompts: [.registry(name: "support/reply", label: "staging", version: nil)], models: ["gpt-4o-mini"], cases: [EvalCase(vars: [:], source: "t")])
        try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-provider")) { upstream in
            await #expect(throws: EvalSuiteError.self) {
                try await EvalSession.run(suite, sourceFile: "nope.yaml", configuration: configuration(store: url, directory: directory, upstream: upstream))
            }
            #expect(upstream.requests().isEmpty)
        }
    }
}
