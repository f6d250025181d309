import Foundation
import LoupeCore
import Testing

@testable import LoupeEvals

/// What the scripted target was asked, in order, and how many calls were in flight at once.
actor ScriptedTargetLog {
    private(set) var requests: [EvalRequest] = []
    /// `resolve` and `complete` in the order they were called.
    private(set) var events: [String] = []
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0
    private var callsByCase: [String: Int] = [:]

    /// Records a call's start; returns how many calls this case (by its `id` variable) has had, this one included.
    func begin(_ request: EvalRequest) -> (attempt: Int, call: Int) {
        requests.append(request)
        events.append("complete")
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        let id = request.vars["id"]?.stringValue ?? ""
        callsByCase[id, default: 0] += 1
        return (callsByCase[id]!, requests.count)
    }

    func end() { inFlight -= 1 }

    func resolving(_ prompt: EvalPrompt) { events.append("resolve \(prompt.displayName)") }

    func calls(forCase id: String) -> Int { callsByCase[id] ?? 0 }
}

/// How a case's calls fail before one succeeds.
struct ScriptedFailure: Sendable {
    /// Calls that fail first; `Int.max` for every call.
    var count: Int
    var error: EvalCallError
}

/// A deterministic `EvalTarget`. Answers come from the case's variables: `answer` (default `ok`), `latency`
/// (ms), `cost` (USD) and `delay` (ms the call takes); the answer's text may be overridden by `reply`.
struct ScriptedTarget: EvalTarget {
    /// Labels per prompt name (`production` is the default label).
    var labels: [String: [String: Int]] = [:]
    /// The latest version per prompt name, used when a bare name has no `production` label.
    var latest: [String: Int] = [:]
    /// By case `id`.
    var failures: [String: ScriptedFailure] = [:]
    /// The first `gate` calls wait (up to a second) until `gate` calls have been in flight at once, so a limit
    /// is reached; none of them ends before that.
    var gate: Int?
    /// The answer's text from the request and the call's number (1-based, over the target's life).
    var reply: (@Sendable (EvalRequest, Int) -> String)?
    let log = ScriptedTargetLog()

    func resolve(_ prompt: EvalPrompt) async throws -> EvalPrompt {
        await log.resolving(prompt)
        guard case .registry(let name, let label, let version) = prompt else { return prompt }
        if let version {
            guard let newest = latest[name] ?? labels[name]?.values.max(), version <= newest else {
                throw EvalSuiteError("unknown prompt reference '\(prompt.displayName)'")
            }
            return prompt
        }
        if let pinned = labels[name]?[label ?? "production"] { return .registry(name: name, label: nil, version: pinned) }
        if label == nil, let newest = latest[name] { return .registry(name: name, label: nil, version: newest) }
        throw EvalSuiteError("unknown prompt reference '\(prompt.displayName)'")
    }

    func complete(_ request: EvalRequest) async throws(EvalCallError) -> EvalOutput {
        let (attempt, call) = await log.begin(request)
        if let gate, call <= gate {
            for _ in 0..<1000 {
                if await log.maxInFlight >= gate { break }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        if let delay = request.vars["delay"], case .number(let milliseconds) = delay {
            try? await Task.sleep(for: .milliseconds(Int(milliseconds)))
        }
        await log.end()
        let id = request.vars["id"]?.stringValue ?? ""
        if let failure = failures[id], attempt <= failure.count { throw failure.error }
        var latency = 0.0
        if case .number(let value)? = request.vars["latency"] { latency = value }
        var cost: Double?
        if case .number(let value)? = request.vars["cost"] { cost = value }
        let text = reply?(request, call) ?? request.vars["answer"]?.stringValue ?? "ok"
        return EvalOutput(text: text, finishReason: "stop", latencyMs: latency, costUSD: cost, traceID: "trace-\(call)")
    }

    func inputText(_ request: EvalRequest) async -> String {
        "input for \(request.vars["id"]?.stringValue ?? "?")"
    }
}

/// A case named by `id`, with the variables the scripted target reads.
func scriptedCase(
    _ id: String, answer: String = "ok", latency: Double = 0, cost: Double? = nil, delay: Double? = nil, expected: JSONValue? = nil,
    assertions: [Assertion] = []
) -> EvalCase {
    var vars: [String: JSONValue] = ["id": .string(id), "answer": .string(answer), "latency": .number(latency)]
    if let cost { vars["cost"] = .number(cost) }
    if let delay { vars["delay"] = .number(delay) }
    return EvalCase(description: "case \(id)", vars: vars, expected: expected, assertions: assertions, source: "cases.jsonl:\(id)")
}

/// A suite of inline prompts over `cases`.
func scriptedSuite(
    prompts: [EvalPrompt] = [.inline("Answer {{id}}")], models: [String] = ["gpt-test"], cases: [EvalCase], defaultAssertions: [Assertion] = [],
    threshold: Double = 1, concurrency: Int = 4, repeatCount: Int = 1
) -> EvalSuite {
    EvalSuite(
        name: "scripted", prompts: prompts, models: models, cases: cases, defaultAssertions: defaultAssertions, threshold: threshold,
        concurrency: concurrency, repeatCount: repeatCount, parameters: ["temperature": .number(0)]
    )
}

/// Fast retries, for tests.
private let fastRetries = EvalRunner.Options(maxAttempts: 4, baseDelaySeconds: 0.001, maxDelaySeconds: 0.004)

/// A response cache in a folder of its own.
private struct CacheFolder {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("LoupeEvalsTests-cache-\(UUID().uuidString)").path

    func cache(ttlSeconds: Double = 3600) -> EvalResponseCache { EvalResponseCache(directory: path, ttlSeconds: ttlSeconds) }

    func options(ttlSeconds: Double = 3600) -> EvalRunner.Options {
        EvalRunner.Options(maxAttempts: 4, baseDelaySeconds: 0.001, maxDelaySeconds: 0.004, cache: cache(ttlSeconds: ttlSeconds))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Progress reports as the runner sent them.
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [EvalRunner.Progress] = []

    func record(_ progress: EvalRunner.Progress) {
        lock.lock()
        reports.append(progress)
        lock.unlock()
    }

    var all: [EvalRunner.Progress] {
        lock.lock()
        defer { lock.unlock() }
        return reports
    }
}

@Suite struct EvalRunnerTests {
    // MARK: - Jobs

    @Test func everyPromptModelCaseAndRepeatRunsOnceAndResultsComeBackInJobOrder() async throws {
        // Earlier cases take longer, so calls finish in another order than they start.
        let cases = [scriptedCase("c0", delay: 6), scriptedCase("c1", delay: 3), scriptedCase("c2", delay: 0)]
        let suite = scriptedSuite(
            prompts: [.inline("A {{id}}"), .inline("B {{id}}")], models: ["m1", "m2"], cases: cases, concurrency: 5, repeatCount: 2
        )
        let target = ScriptedTarget(reply: { request, _ in
            guard case .inline(let text) = request.prompt else { return "?" }
            return "\(text.prefix(1))|\(request.model)|\(request.vars["id"]?.stringValue ?? "")"
        })
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)

        let requests = await target.log.requests
        #expect(requests.count == 2 * 2 * 3 * 2)
        var seen: [String: Int] = [:]
        for request in requests {
            guard case .inline(let text) = request.prompt else { continue }
            seen["\(text.prefix(1))|\(request.model)|\(request.vars["id"]?.stringValue ?? "")", default: 0] += 1
            #expect(request.parameters == ["temperature": .number(0)])
        }
        // Each prompt × model × case is asked once per repetition.
        #expect(seen.count == 12)
        #expect(seen.values.allSatisfy { $0 == 2 })

        var expected: [(prompt: String, model: String, caseIndex: Int, repetition: Int)] = []
        for prompt in ["A {{id}}", "B {{id}}"] {
            for model in ["m1", "m2"] {
                for caseIndex in 0..<3 {
                    for repetition in 0..<2 { expected.append((prompt, model, caseIndex, repetition)) }
                }
            }
        }
        #expect(result.cases.count == expected.count)
        for (item, wanted) in zip(result.cases, expected) {
            #expect(item.prompt == wanted.prompt)
            #expect(item.model == wanted.model)
            #expect(item.caseIndex == wanted.caseIndex)
            #expect(item.repetition == wanted.repetition)
            #expect(item.source == "cases.jsonl:c\(wanted.caseIndex)")
            // The answer belongs to this job's own request.
            #expect(item.output?.text == "\(wanted.prompt.prefix(1))|\(wanted.model)|c\(wanted.caseIndex)")
            #expect(item.status == .pass)
            #expect(item.attempts == 1)
            #expect(item.cached == false)
        }
        #expect(result.cells.map { "\($0.prompt) × \($0.model)" } == ["A {{id}} × m1", "A {{id}} × m2", "B {{id}} × m1", "B {{id}} × m2"])
        #expect(result.cells.allSatisfy { $0.summary.cases == 6 && $0.promptVersion == nil })
        #expect(result.summary.cases == 24)
        #expect(result.suite == "scripted")
    }

    @Test func promptsThatShareAFirstLineKeepTheirOwnCells() async throws {
        // Two variants of one prompt: same opening line, different instructions.
        let first = EvalPrompt.inline("You are a support agent.\nAnswer briefly: {{id}}")
        let second = EvalPrompt.inline("You are a support agent.\nAnswer in detail: {{id}}")
        let suite = scriptedSuite(
            prompts: [first, second], cases: [scriptedCase("c0"), scriptedCase("c1")],
            defaultAssertions: [Assertion(kind: .icontains, value: .string("briefly"))]
        )
        let target = ScriptedTarget(reply: { request, _ in
            guard case .inline(let text) = request.prompt else { return "" }
            return text
        })
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(result.cells.count == 2)
        // Each cell summarises its own prompt's two cases: the first passes both, the second fails both.
        #expect(result.cells.map(\.summary.cases) == [2, 2])
        #expect(result.cells.map(\.summary.passed) == [2, 0])
        // The later one is numbered, so reports, JUnit suites and comparisons tell them apart.
        #expect(result.cells.map(\.prompt) == ["You are a support agent.", "You are a support agent. #2"])
        #expect(result.cases.map(\.prompt) == ["You are a support agent.", "You are a support agent.", "You are a support agent. #2", "You are a support agent. #2"])
    }

    @Test func aLabelAndAVersionPinnedAlikeKeepTheirOwnCells() async throws {
        let suite = scriptedSuite(
            prompts: [.registry(name: "support/reply", label: "production", version: nil), .registry(name: "support/reply", label: nil, version: 3)],
            cases: [scriptedCase("c0")]
        )
        let target = ScriptedTarget(labels: ["support/reply": ["production": 3]])
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(await target.log.requests.count == 2)
        #expect(result.cells.map(\.prompt) == ["support/reply@3", "support/reply@3 #2"])
        #expect(result.cells.map(\.promptVersion) == [3, 3])
        #expect(result.cells.map(\.summary.cases) == [1, 1])
        #expect(result.summary.cases == 2)
    }

    // MARK: - Prompt pinning

    @Test func registryPromptsArePinnedToAVersionBeforeAnyCall() async throws {
        let suite = scriptedSuite(
            prompts: [
                .registry(name: "support/reply", label: "production", version: nil),
                .registry(name: "support/reply", label: nil, version: 2),
                .registry(name: "other/p", label: nil, version: nil),
            ],
            cases: [scriptedCase("c0")]
        )
        let target = ScriptedTarget(labels: ["support/reply": ["production": 3, "staging": 4]], latest: ["support/reply": 4, "other/p": 5])
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)

        let events = await target.log.events
        #expect(events.prefix(3).allSatisfy { $0.hasPrefix("resolve") })
        #expect(events.dropFirst(3).allSatisfy { $0 == "complete" })
        let requests = await target.log.requests
        // Calls run concurrently, so they may arrive in any order; each prompt was sent pinned, once.
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.prompt)) == [
            .registry(name: "support/reply", label: nil, version: 3),
            .registry(name: "support/reply", label: nil, version: 2),
            .registry(name: "other/p", label: nil, version: 5),
        ])
        #expect(result.cells.map(\.prompt) == ["support/reply@3", "support/reply@2", "other/p@5"])
        #expect(result.cells.map(\.promptVersion) == [3, 2, 5])
        #expect(result.cases.map(\.prompt) == ["support/reply@3", "support/reply@2", "other/p@5"])
    }

    @Test func anUnknownPromptReferenceThrowsBeforeAnyCall() async throws {
        let suite = scriptedSuite(
            prompts: [.registry(name: "support/reply", label: "production", version: nil), .registry(name: "support/reply", label: "canary", version: nil)],
            cases: [scriptedCase("c0"), scriptedCase("c1")]
        )
        let target = ScriptedTarget(labels: ["support/reply": ["production": 3]])
        let progress = ProgressLog()
        await #expect(throws: EvalSuiteError("unknown prompt reference 'support/reply:canary'")) {
            try await EvalRunner(target: target, options: fastRetries).run(suite) { progress.record($0) }
        }
        #expect(await target.log.requests.isEmpty)
        #expect(progress.all.isEmpty)
    }

    @Test func anUnknownVersionThrowsToo() async throws {
        let suite = scriptedSuite(prompts: [.registry(name: "support/reply", label: nil, version: 9)], cases: [scriptedCase("c0")])
        let target = ScriptedTarget(latest: ["support/reply": 4])
        await #expect(throws: EvalSuiteError.self) {
            try await EvalRunner(target: target, options: fastRetries).run(suite)
        }
        #expect(await target.log.requests.isEmpty)
    }

    // MARK: - Concurrency

    @Test(arguments: [1, 3])
    func callsInFlightNeverExceedTheSuitesConcurrency(_ concurrency: Int) async throws {
        let cases = (0..<12).map { scriptedCase("c\($0)", delay: 1) }
        let suite = scriptedSuite(cases: cases, concurrency: concurrency)
        let target = ScriptedTarget(gate: concurrency)
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(result.cases.count == 12)
        // The first calls wait for each other, so the limit is reached; it is never passed.
        #expect(await target.log.maxInFlight == concurrency)
    }

    @Test func aConcurrencyAboveTheJobCountRunsEveryJobOnce() async throws {
        let suite = scriptedSuite(cases: [scriptedCase("c0"), scriptedCase("c1")], concurrency: 64)
        let target = ScriptedTarget(gate: 2)
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(result.cases.map(\.status) == [.pass, .pass])
        #expect(await target.log.requests.count == 2)
        #expect(await target.log.maxInFlight == 2)
    }

    // MARK: - Retries and errors

    @Test func retryableErrorsAreRetriedUntilACallSucceeds() async throws {
        let rateLimited = EvalCallError(message: "rate limited", status: 429, retryable: true)
        let suite = scriptedSuite(cases: [scriptedCase("flaky"), scriptedCase("steady")])
        let target = ScriptedTarget(failures: ["flaky": ScriptedFailure(count: 2, error: rateLimited)])
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(result.cases[0].status == .pass)
        #expect(result.cases[0].attempts == 3)
        #expect(result.cases[0].error == nil)
        #expect(result.cases[1].attempts == 1)
        #expect(await target.log.calls(forCase: "flaky") == 3)
        #expect(result.summary.passRate == 1)
    }

    @Test func retriesStopAtMaxAttemptsAndTheCaseIsAnError() async throws {
        let unavailable = EvalCallError(message: "upstream unavailable", status: 503, retryable: true)
        let suite = scriptedSuite(cases: [scriptedCase("down"), scriptedCase("up")], threshold: 0.5)
        let target = ScriptedTarget(failures: ["down": ScriptedFailure(count: .max, error: unavailable)])
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(await target.log.calls(forCase: "down") == 4)
        let down = result.cases[0]
        #expect(down.status == .error)
        #expect(down.attempts == 4)
        #expect(down.error == "HTTP 503: upstream unavailable")
        #expect(down.score == 0)
        #expect(down.output == nil)
        #expect(down.checks.isEmpty)
        #expect(result.summary.errors == 1)
        #expect(result.summary.passRate == 0.5)
        #expect(result.passed)
    }

    @Test func aRetryAfterLongerThanTheMaximumDelayIsCapped() async throws {
        let slowDown = EvalCallError(message: "slow down", status: 429, retryable: true, retryAfterSeconds: 60)
        let suite = scriptedSuite(cases: [scriptedCase("c0")])
        let target = ScriptedTarget(failures: ["c0": ScriptedFailure(count: 1, error: slowDown)])
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(result.cases[0].status == .pass)
        #expect(result.cases[0].attempts == 2)
        #expect(clock.now - started < .seconds(10))
    }

    @Test func aNonRetryableErrorIsNotRetried() async throws {
        let badRequest = EvalCallError(message: "model not found", status: 404, retryable: false)
        let suite = scriptedSuite(
            cases: [scriptedCase("ok1"), scriptedCase("broken"), scriptedCase("ok2"), scriptedCase("ok3")],
            defaultAssertions: [Assertion(kind: .equals, value: .string("ok"))], threshold: 0.8
        )
        let target = ScriptedTarget(failures: ["broken": ScriptedFailure(count: .max, error: badRequest)])
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(await target.log.calls(forCase: "broken") == 1)
        let broken = result.cases[1]
        #expect(broken.status == .error)
        #expect(broken.attempts == 1)
        #expect(broken.error == "HTTP 404: model not found")
        #expect(broken.failureReason == "HTTP 404: model not found")
        #expect(result.summary.passed == 3)
        #expect(result.summary.errors == 1)
        #expect(result.summary.failed == 0)
        // An ERROR counts against the pass rate, so 3 of 4 is below the 0.8 threshold.
        #expect(result.summary.passRate == 0.75)
        #expect(result.summary.meanScore == 0.75)
        #expect(!result.passed)
        #expect(result.cells[0].summary.errors == 1)
    }

    @Test func anErrorWithoutAStatusKeepsItsMessage() async throws {
        let timeout = EvalCallError(message: "timed out after 60 s", retryable: false)
        let suite = scriptedSuite(cases: [scriptedCase("c0")])
        let target = ScriptedTarget(failures: ["c0": ScriptedFailure(count: .max, error: timeout)])
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite)
        #expect(result.cases[0].error == "timed out after 60 s")
    }

    // MARK: - Checks and scores

    @Test func aFailedAssertionMakesTheCaseFail() async throws {
        let suite = scriptedSuite(
            cases: [
                scriptedCase("right", answer: "Your order ships today", expected: .string("ships")),
                scriptedCase("wrong", answer: "I cannot help", expected: .string("ships")),
            ],
            defaultAssertions: [Assertion(kind: .icontains, value: .string("{{expected}}"))], threshold: 0.5
        )
        let result = try await EvalRunner(target: ScriptedTarget(), options: fastRetries).run(suite)
        #expect(result.cases.map(\.status) == [.pass, .fail])
        let wrong = result.cases[1]
        #expect(wrong.score == 0)
        #expect(wrong.attempts == 1)
        #expect(wrong.error == nil)
        #expect(wrong.checks.count == 1)
        #expect(wrong.checks[0].type == "icontains")
        #expect(wrong.checks[0].pass == false)
        // The value was rendered with the case's expected answer.
        #expect(wrong.checks[0].reason.contains("ships"))
        #expect(wrong.failureReason?.hasPrefix("icontains: ") == true)
        #expect(result.summary.failed == 1)
        #expect(result.summary.passRate == 0.5)
        #expect(result.passed)
    }

    @Test func theScoreIsTheWeightedMeanOfTheChecks() async throws {
        let suite = scriptedSuite(
            cases: [
                scriptedCase("half", answer: "alpha", assertions: [
                    Assertion(kind: .contains, value: .string("alpha"), weight: 1, metric: "accuracy"),
                    Assertion(kind: .contains, value: .string("omega"), weight: 3),
                ]),
                scriptedCase("all", answer: "alpha omega", assertions: [
                    Assertion(kind: .contains, value: .string("alpha"), weight: 1, metric: "accuracy"),
                    Assertion(kind: .contains, value: .string("omega"), weight: 3),
                ]),
                scriptedCase("none", answer: "beta", assertions: [
                    Assertion(kind: .contains, value: .string("alpha"), weight: 1, metric: "accuracy"),
                ]),
            ],
            defaultAssertions: [Assertion(kind: .wordCount, value: .object(["max": .number(10)]), weight: 0, metric: "brevity")]
        )
        let result = try await EvalRunner(target: ScriptedTarget(), options: fastRetries).run(suite)
        // `half`: alpha passes (weight 1), omega fails (weight 3), the weight-0 word count does not count.
        #expect(result.cases[0].score == 0.25)
        #expect(result.cases[0].status == .fail)
        #expect(result.cases[1].score == 1)
        #expect(result.cases[1].status == .pass)
        #expect(result.cases[2].score == 0)
        // The suite's default assertions come first.
        #expect(result.cases[0].checks.map(\.type) == ["word-count", "contains", "contains"])
        #expect(result.cases[0].checks.map(\.weight) == [0, 1, 3])
        #expect(result.cases[0].checks.map(\.metric) == ["brevity", "accuracy", nil])
        let meanScore: Double = 1.25 / 3
        #expect(result.summary.meanScore == meanScore)
        // Named metrics average their checks' scores over the run.
        #expect(result.summary.namedScores == ["accuracy": 2.0 / 3, "brevity": 1])
        #expect(result.cells[0].summary.namedScores == result.summary.namedScores)
    }

    @Test func aCaseWithoutChecksPasses() async throws {
        let result = try await EvalRunner(target: ScriptedTarget(), options: fastRetries).run(scriptedSuite(cases: [scriptedCase("c0")]))
        #expect(result.cases[0].status == .pass)
        #expect(result.cases[0].score == 1)
        #expect(result.cases[0].checks.isEmpty)
    }

    @Test func modelGradedChecksGetTheInputAsTheTargetRenderedIt() async throws {
        let grader = FakeGrader(answer: #"{"pass": true, "score": 0.8, "reason": "polite"}"#)
        let suite = scriptedSuite(
            cases: [scriptedCase("c7", answer: "Happy to help", assertions: [Assertion(kind: .llmRubric, value: .string("is polite"))])]
        )
        let result = try await EvalRunner(target: ScriptedTarget(), grader: grader, options: fastRetries).run(suite)
        #expect(result.cases[0].status == .pass)
        #expect(result.cases[0].score == 0.8)
        let calls = await grader.log.judgeCalls
        #expect(calls.count == 1)
        #expect(calls.first?.variables["input"] == .string("input for c7"))
        #expect(calls.first?.variables["output"] == .string("Happy to help"))
    }

    // MARK: - Summary

    @Test func latencyPercentilesUseTheNearestRank() {
        let results = (1...20).map { summaryCase(latency: Double($0)) }
        let summary = EvalSummary(results.shuffled())
        // Nearest rank: p50 is the 10th of 20 values, p95 the 19th (no interpolation).
        #expect(summary.latencyP50Ms == 10)
        #expect(summary.latencyP95Ms == 19)
        let three = EvalSummary([summaryCase(latency: 300), summaryCase(latency: 100), summaryCase(latency: 200)])
        #expect(three.latencyP50Ms == 200)
        #expect(three.latencyP95Ms == 300)
        let one = EvalSummary([summaryCase(latency: 42)])
        #expect(one.latencyP50Ms == 42)
        #expect(one.latencyP95Ms == 42)
    }

    @Test func errorsHaveNoLatencyAndAnEmptyRunHasNone() {
        let onlyErrors = EvalSummary([summaryCase(status: .error, latency: nil)])
        #expect(onlyErrors.latencyP50Ms == nil)
        #expect(onlyErrors.latencyP95Ms == nil)
        let empty = EvalSummary([])
        #expect(empty.cases == 0)
        #expect(empty.passRate == 0)
        #expect(empty.meanScore == 0)
        #expect(empty.costUSD == 0)
        #expect(empty.latencyP50Ms == nil)
    }

    @Test func theCostAddsUpCallsButNotCachedAnswers() {
        let summary = EvalSummary([
            summaryCase(cost: 0.25), summaryCase(cost: 0.5), summaryCase(cost: 4, cached: true), summaryCase(cost: nil),
            summaryCase(status: .error, latency: nil),
        ])
        #expect(summary.costUSD == 0.75)
    }

    @Test func theRunSummaryCountsCostAndLatencyFromTheCalls() async throws {
        let cases = [10.0, 30, 20, 40].enumerated().map { scriptedCase("c\($0.offset)", latency: $0.element, cost: 0.125) }
        let result = try await EvalRunner(target: ScriptedTarget(), options: fastRetries).run(scriptedSuite(cases: cases))
        #expect(result.summary.costUSD == 0.5)
        #expect(result.summary.latencyP50Ms == 20)
        #expect(result.summary.latencyP95Ms == 40)
        #expect(result.cells[0].summary == result.summary)
        #expect(result.threshold == 1)
        #expect(result.passed)
    }

    // MARK: - Response cache

    @Test func aSecondRunIsAnsweredFromTheCache() async throws {
        let folder = CacheFolder()
        defer { folder.remove() }
        let suite = scriptedSuite(cases: [scriptedCase("c0", cost: 0.5), scriptedCase("c1", cost: 0.25)])
        let first = ScriptedTarget(reply: { request, call in "fresh \(request.vars["id"]?.stringValue ?? "") \(call)" })
        let before = try await EvalRunner(target: first, options: folder.options()).run(suite)
        #expect(await first.log.requests.count == 2)
        #expect(before.cases.allSatisfy { !$0.cached })
        #expect(before.summary.costUSD == 0.75)

        let second = ScriptedTarget(reply: { _, _ in "should not be asked" })
        let after = try await EvalRunner(target: second, options: folder.options()).run(suite)
        #expect(await second.log.requests.isEmpty)
        #expect(after.cases.allSatisfy { $0.cached })
        #expect(after.cases.map(\.attempts) == [0, 0])
        #expect(after.cases.map(\.output) == before.cases.map(\.output))
        // What a cached answer cost was paid by the first run.
        #expect(after.summary.costUSD == 0)
    }

    @Test func repeatsDoNotShareACacheEntry() async throws {
        let folder = CacheFolder()
        defer { folder.remove() }
        let suite = scriptedSuite(cases: [scriptedCase("c0")], concurrency: 1, repeatCount: 3)
        let first = ScriptedTarget(reply: { _, call in "sample \(call)" })
        let before = try await EvalRunner(target: first, options: folder.options()).run(suite)
        #expect(await first.log.requests.count == 3)
        #expect(before.cases.map { $0.output?.text } == ["sample 1", "sample 2", "sample 3"])

        let second = ScriptedTarget()
        let after = try await EvalRunner(target: second, options: folder.options()).run(suite)
        #expect(await second.log.requests.isEmpty)
        #expect(after.cases.map { $0.output?.text } == ["sample 1", "sample 2", "sample 3"])
    }

    @Test func anExpiredEntryIsCalledAgain() async throws {
        let folder = CacheFolder()
        defer { folder.remove() }
        let suite = scriptedSuite(cases: [scriptedCase("c0")])
        _ = try await EvalRunner(target: ScriptedTarget(), options: folder.options(ttlSeconds: 0)).run(suite)
        let second = ScriptedTarget()
        let after = try await EvalRunner(target: second, options: folder.options(ttlSeconds: 0)).run(suite)
        #expect(await second.log.requests.count == 1)
        #expect(after.cases[0].cached == false)
        #expect(after.cases[0].attempts == 1)
    }

    @Test func errorsAreNeverCached() async throws {
        let folder = CacheFolder()
        defer { folder.remove() }
        let suite = scriptedSuite(cases: [scriptedCase("c0")])
        let failing = ScriptedTarget(failures: ["c0": ScriptedFailure(count: .max, error: EvalCallError(message: "no", status: 400, retryable: false))])
        let before = try await EvalRunner(target: failing, options: folder.options()).run(suite)
        #expect(before.cases[0].status == .error)
        let working = ScriptedTarget()
        let after = try await EvalRunner(target: working, options: folder.options()).run(suite)
        #expect(await working.log.requests.count == 1)
        #expect(after.cases[0].status == .pass)
        #expect(after.cases[0].cached == false)
    }

    @Test func aLabelPinnedToANewVersionMissesTheCache() async throws {
        let folder = CacheFolder()
        defer { folder.remove() }
        let suite = scriptedSuite(prompts: [.registry(name: "support/reply", label: "production", version: nil)], cases: [scriptedCase("c0")])
        _ = try await EvalRunner(target: ScriptedTarget(labels: ["support/reply": ["production": 3]]), options: folder.options()).run(suite)
        let same = ScriptedTarget(labels: ["support/reply": ["production": 3]])
        _ = try await EvalRunner(target: same, options: folder.options()).run(suite)
        #expect(await same.log.requests.isEmpty)
        let moved = ScriptedTarget(labels: ["support/reply": ["production": 4]])
        let result = try await EvalRunner(target: moved, options: folder.options()).run(suite)
        #expect(await moved.log.requests.count == 1)
        #expect(result.cases[0].cached == false)
    }

    // MARK: - Progress

    @Test func progressCountsUpToTheTotal() async throws {
        let suite = scriptedSuite(
            cases: [scriptedCase("a", cost: 0.5), scriptedCase("b", answer: "no"), scriptedCase("c"), scriptedCase("d", cost: 0.25)],
            defaultAssertions: [Assertion(kind: .equals, value: .string("ok"))], threshold: 0
        )
        let target = ScriptedTarget(failures: ["c": ScriptedFailure(count: .max, error: EvalCallError(message: "no", retryable: false))])
        let log = ProgressLog()
        let result = try await EvalRunner(target: target, options: fastRetries).run(suite) { log.record($0) }
        let reports = log.all
        #expect(reports.first?.done == 0)
        #expect(reports.map(\.done) == Array(0...4))
        #expect(reports.allSatisfy { $0.total == 4 })
        let last = try #require(reports.last)
        #expect(last.done == last.total)
        #expect(last.failures == 1)
        #expect(last.errors == 1)
        #expect(last.costUSD == 0.75)
        #expect(result.summary.failed == 1)
        #expect(result.summary.errors == 1)
    }
}

/// A case result for summary arithmetic.
private func summaryCase(status: EvalCaseResult.Status = .pass, latency: Double? = 10, cost: Double? = nil, cached: Bool = false) -> EvalCaseResult {
    EvalCaseResult(
        prompt: "p", model: "m", caseIndex: 0, repetition: 0, source: "s", description: nil, vars: [:], expected: nil, status: status,
        score: status == .pass ? 1 : 0, checks: [], output: latency.map { EvalOutput(text: "x", latencyMs: $0, costUSD: cost) },
        error: status == .error ? "boom" : nil, attempts: cached ? 0 : 1, cached: cached
    )
}
