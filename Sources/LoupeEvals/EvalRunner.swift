import Foundation
import LoupeCore
import LoupeGuardrails

/// Runs a suite: every prompt × model × case (× repeat) through an `EvalTarget`, `concurrency` calls at a
/// time, with calls that fail for a passing reason retried with backoff, then every answer checked.
public struct EvalRunner: Sendable {
    /// How calls are retried and cached.
    public struct Options: Sendable {
        /// Calls per case at most, the first included.
        public var maxAttempts = 4
        /// The first retry waits this long, each next one twice as long, up to `maxDelaySeconds`.
        public var baseDelaySeconds = 0.5
        public var maxDelaySeconds = 8.0
        /// Answers kept between runs; nil calls every time.
        public var cache: EvalResponseCache?

        public init(maxAttempts: Int = 4, baseDelaySeconds: Double = 0.5, maxDelaySeconds: Double = 8, cache: EvalResponseCache? = nil) {
            self.maxAttempts = maxAttempts
            self.baseDelaySeconds = baseDelaySeconds
            self.maxDelaySeconds = maxDelaySeconds
            self.cache = cache
        }
    }

    /// Where a run is, for a progress bar.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var failures: Int
        public var errors: Int
        public var elapsedSeconds: Double
        public var costUSD: Double
    }

    let target: any EvalTarget
    let grader: (any EvalGrader)?
    let guardrails: GuardrailPolicySet?
    let options: Options

    public init(target: any EvalTarget, grader: (any EvalGrader)? = nil, guardrails: GuardrailPolicySet? = nil, options: Options = Options()) {
        self.target = target
        self.grader = grader
        self.guardrails = guardrails
        self.options = options
    }

    /// Runs `suite`. Throws `EvalSuiteError` before any call when a prompt does not resolve.
    public func run(_ suite: EvalSuite, progress: (@Sendable (Progress) -> Void)? = nil) async throws -> EvalRunResult {
        let started = Date()
        var prompts: [EvalPrompt] = []
        for prompt in suite.prompts { prompts.append(try await target.resolve(prompt)) }
        // Cells, reports and comparisons tell prompts apart by name: two that would read the same (inline texts
        // with one first line, or a label and a version pinned alike) get `#2`, `#3`… after the later ones.
        var names: [String] = []
        for prompt in prompts {
            var name = prompt.displayName
            var copy = 1
            while names.contains(name) {
                copy += 1
                name = "\(prompt.displayName) #\(copy)"
            }
            names.append(name)
        }

        struct Job: Sendable {
            var index: Int
            var prompt: EvalPrompt
            var promptName: String
            var model: String
            var caseIndex: Int
            var evalCase: EvalCase
            var repetition: Int
        }
        var jobs: [Job] = []
        for (prompt, name) in zip(prompts, names) {
            for model in suite.models {
                for (caseIndex, evalCase) in suite.cases.enumerated() {
                    for repetition in 0..<suite.repeatCount {
                        jobs.append(Job(
                            index: jobs.count, prompt: prompt, promptName: name, model: model, caseIndex: caseIndex, evalCase: evalCase, repetition: repetition
                        ))
                    }
                }
            }
        }

        var results = [EvalCaseResult?](repeating: nil, count: jobs.count)
        var state = Progress(done: 0, total: jobs.count, failures: 0, errors: 0, elapsedSeconds: 0, costUSD: 0)
        progress?(state)
        await withTaskGroup(of: (Int, EvalCaseResult).self) { group in
            var next = 0
            func startNext() {
                guard next < jobs.count else { return }
                let job = jobs[next]
                next += 1
                group.addTask {
                    (job.index, await runCase(suite, job.prompt, job.promptName, job.model, job.caseIndex, job.evalCase, job.repetition))
                }
            }
            for _ in 0..<min(suite.concurrency, jobs.count) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                state.done += 1
                if result.status == .fail { state.failures += 1 }
                if result.status == .error { state.errors += 1 }
                if !result.cached { state.costUSD += result.output?.costUSD ?? 0 }
                state.elapsedSeconds = Date().timeIntervalSince(started)
                progress?(state)
                startNext()
            }
        }
        let all = results.map { $0! }

        var cells: [EvalCellSummary] = []
        for (prompt, name) in zip(prompts, names) {
            for model in suite.models {
                let mine = all.filter { $0.prompt == name && $0.model == model }
                var version: Int?
                if case .registry(_, _, let pinned) = prompt { version = pinned }
                cells.append(EvalCellSummary(prompt: name, promptVersion: version, model: model, summary: EvalSummary(mine)))
            }
        }
        return EvalRunResult(
            suite: suite.name, description: suite.description, dataset: suite.dataset, threshold: suite.threshold,
            startedAt: Int64(started.timeIntervalSince1970 * 1000), durationMs: Date().timeIntervalSince(started) * 1000, cells: cells, cases: all
        )
    }

    /// One case: the call (from the cache, or with retries), then every check.
    func runCase(
        _ suite: EvalSuite, _ prompt: EvalPrompt, _ promptName: String, _ model: String, _ caseIndex: Int, _ evalCase: EvalCase, _ repetition: Int
    ) async -> EvalCaseResult {
        let request = EvalRequest(prompt: prompt, model: model, vars: evalCase.vars, tools: evalCase.tools, parameters: suite.parameters)
        var result = EvalCaseResult(
            prompt: promptName, model: model, caseIndex: caseIndex, repetition: repetition, source: evalCase.source,
            description: evalCase.description, vars: evalCase.vars, expected: evalCase.expected, status: .error, score: 0, checks: [],
            output: nil, error: nil, attempts: 0, cached: false
        )
        // Each repetition is its own sample, so repeats do not share a cache entry.
        let input = await target.inputText(request)
        let key = request.cacheKey(input: input) + "#\(repetition)"
        if let kept = options.cache?.output(for: key) {
            result.output = kept
            result.cached = true
        } else {
            do {
                let output = try await call(request, attempts: &result.attempts)
                result.output = output
                options.cache?.store(output, for: key)
            } catch {
                result.error = error.description
                return result
            }
        }
        guard let output = result.output else { return result }
        let context = AssertionContext(
            vars: evalCase.vars, expected: evalCase.expected, tools: evalCase.tools, input: input,
            guardrails: guardrails, grader: grader
        )
        var weighted = 0.0
        var weights = 0.0
        for assertion in suite.defaultAssertions + evalCase.assertions {
            let outcome = await assertion.evaluate(output, context: context)
            result.checks.append(EvalCaseResult.Check(
                type: assertion.typeName, pass: outcome.pass, score: outcome.score, reason: outcome.reason, weight: assertion.weight, metric: assertion.metric
            ))
            weighted += outcome.score * assertion.weight
            weights += assertion.weight
        }
        let passed = result.checks.allSatisfy(\.pass)
        result.status = passed ? .pass : .fail
        result.score = weights > 0 ? weighted / weights : (passed ? 1 : 0)
        return result
    }

    /// Calls the target, retrying what may succeed later with exponential backoff (honouring `Retry-After`).
    func call(_ request: EvalRequest, attempts: inout Int) async throws(EvalCallError) -> EvalOutput {
        var delay = options.baseDelaySeconds
        while true {
            attempts += 1
            do {
                return try await target.complete(request)
            } catch {
                guard error.retryable, attempts < options.maxAttempts else { throw error }
                let wait = min(max(error.retryAfterSeconds ?? 0, delay), options.maxDelaySeconds)
                try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                delay = min(delay * 2, options.maxDelaySeconds)
            }
        }
    }
}
