import ArgumentParser
import Foundation
import LoupeConfig
import LoupeCore
import LoupeEvals
import LoupeServer
import Synchronization

/// `loupe eval run|compare|runs`: eval suites through Loupe's proxy, stored as tracking runs.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run eval suites (prompts × models × dataset cases, scored by assertions) and compare their runs.",
        subcommands: [Run.self, Compare.self, Runs.self]
    )

    /// Exit codes, as Promptfoo's: 100 when the pass rate is under the threshold, 2 when the suite cannot run.
    static let belowThreshold: Int32 = 100
    static let suiteError: Int32 = 2

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a suite. Exits 0 at or above its threshold, 100 below it, 2 when the suite cannot run.",
            discussion: "Calls go through Loupe's proxy (in this process, or --server), so every case leaves a trace; the run is stored as a tracking run."
        )

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The suite file, such as evals/support.yaml.") var suite: String
        @Option(help: ArgumentHelp("Also write every result as JSON here.", valueName: "FILE")) var output: String?
        @Option(help: ArgumentHelp("Also write JUnit XML here, for CI.", valueName: "FILE")) var junit: String?
        @Option(help: "Only cases whose description, source or variables contain this text (case-insensitive).") var filter: String?
        @Option(help: "Run at most this many cases (the first ones).") var maxCases: Int?
        @Option(parsing: .upToNextOption, help: "Run these prompts instead of the suite's: NAME, NAME:LABEL, NAME@VERSION or text.") var prompts: [String] = []
        @Option(parsing: .upToNextOption, help: "Run these models instead of the suite's.") var models: [String] = []
        @Option(help: "Calls in flight at once (default: the suite's concurrency).") var concurrency: Int?
        @Option(name: .customLong("repeat"), help: "Run each case this many times (default: the suite's repeat).") var repeatCount: Int?
        @Option(help: ArgumentHelp("Send calls to this running Loupe server instead of starting one here.", valueName: "URL")) var server: String?
        @Flag(help: "Call the models even when an answer is cached.") var noCache = false
        @Option(help: "How long cached answers are used: seconds, or with s, m, h or d.") var cacheTtl = "24h"
        @Flag(help: "No progress bar.") var noProgress = false

        func run() async throws {
            let configuration: LoupeConfiguration
            var loaded: EvalSuite
            do {
                configuration = try options.load()
                loaded = try EvalSuite.load(path: suite)
                try apply(to: &loaded)
            } catch {
                printError("\(error)")
                throw ExitCode(EvalCommand.suiteError)
            }
            let ready = loaded
            let cache = noCache ? nil : EvalResponseCache(directory: configuration.store.dataDirectory + "/eval-cache", ttlSeconds: try ttl())
            let bar = ProgressBar(enabled: !noProgress)
            let result: EvalRunResult
            do {
                result = try await EvalSession.run(
                    ready, sourceFile: suite, configuration: configuration, server: server,
                    options: EvalRunner.Options(cache: cache), logger: quietLogger, progress: { bar.show($0) }
                )
            } catch let error as EvalSuiteError {
                bar.finish()
                printError("\(suite): \(error)")
                throw ExitCode(EvalCommand.suiteError)
            }
            bar.finish()
            if let output { try write(jsonText(result), to: output) }
            if let junit { try write(JUnitReport.xml(result), to: junit) }
            print(EvalReport.matrix(result), terminator: "")
            let worst = EvalReport.worstFailures(result)
            if !worst.isEmpty { print("\n" + worst, terminator: "") }
            if let runID = result.runID { print("\nStored as tracking run \(runID) in experiment '\(ready.experiment)'.") }
            if !result.passed { throw ExitCode(EvalCommand.belowThreshold) }
        }

        /// The command line's overrides of the suite.
        func apply(to suite: inout EvalSuite) throws {
            if !prompts.isEmpty { suite.prompts = prompts.map { EvalPrompt.reference($0) ?? .inline($0) } }
            if !models.isEmpty { suite.models = models }
            if let concurrency {
                guard (1...1024).contains(concurrency) else { throw CommandFailure("--concurrency must be from 1 to 1024") }
                suite.concurrency = concurrency
            }
            if let repeatCount {
                guard (1...100).contains(repeatCount) else { throw CommandFailure("--repeat must be from 1 to 100") }
                suite.repeatCount = repeatCount
            }
            if let filter {
                let needle = filter.lowercased()
                suite.cases = suite.cases.filter { item in
                    [item.description ?? "", item.source, JSONValue.object(item.vars).jsonText].contains { $0.lowercased().contains(needle) }
                }
                guard !suite.cases.isEmpty else { throw CommandFailure("--filter '\(filter)' matches no case of \(self.suite)") }
            }
            if let maxCases {
                guard maxCases > 0 else { throw CommandFailure("--max-cases must be 1 or more") }
                suite.cases = Array(suite.cases.prefix(maxCases))
            }
        }

        func ttl() throws -> Double {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            var text = cacheTtl
            var unit = 1.0
            if let last = text.last, let factor = units[last] {
                unit = factor
                text.removeLast()
            }
            guard let value = Double(text), value >= 0 else { throw ValidationError("--cache-ttl must be seconds, or a number with s, m, h or d, such as 24h") }
            return value * unit
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cases that regressed or improved from one stored run to another.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The earlier run's id (loupe eval runs lists them).") var before: String
        @Argument(help: "The later run's id.") var after: String
        @Flag(help: "Exit 1 when a case regressed.") var failOnRegression = false

        func run() async throws {
            let (before, after) = (self.before, self.after)
            let runs = try await withStore(options) { store in
                let reader = EvalRunReader(store: store)
                return (try await reader.run(id: before), try await reader.run(id: after))
            }
            guard let earlier = runs.0 else { throw CommandFailure("no eval run has the id '\(before)'") }
            guard let later = runs.1 else { throw CommandFailure("no eval run has the id '\(after)'") }
            let comparison = EvalComparison(before: earlier.cases, after: later.cases)
            let rate = { (row: EvalRunReader.RunRow) in row.metrics["pass_rate"].map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            print("\(earlier.run.name) (\(rate(earlier.run))) → \(later.run.name) (\(rate(later.run)))")
            for (title, changes) in [("Regressed", comparison.regressions), ("Improved", comparison.improvements)] {
                print("\n\(title): \(changes.count)")
                for change in changes {
                    let name = change.after.description.map { "\(change.after.source) \($0)" } ?? change.after.source
                    print("  \(change.after.prompt) × \(change.after.model)  \(name)  \(change.before.status.rawValue) → \(change.after.status.rawValue)  score \(String(format: "%.2f → %.2f", change.before.score, change.after.score))")
                    if let reason = (title == "Regressed" ? change.after : change.before).failureReason { print("      \(reason.prefix(200))") }
                }
            }
            if !comparison.scoreChanges.isEmpty { print("\nScore changed, same outcome: \(comparison.scoreChanges.count)") }
            if comparison.onlyBefore + comparison.onlyAfter > 0 {
                print("Cases in only one run: \(comparison.onlyBefore) before, \(comparison.onlyAfter) after")
            }
            if failOnRegression && !comparison.regressions.isEmpty { throw ExitCode.failure }
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stored eval runs, newest first.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this suite.") var suite: String?
        @Option(help: "How many runs.") var limit = 20
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let (suite, limit) = (self.suite, self.limit)
            let runs = try await withStore(options) { try await EvalRunReader(store: $0).list(suite: suite, limit: limit) }
            if json { return try printJSON(["data": runs]) }
            let rows = runs.map { run in
                [
                    run.runID, run.suite, TimeExpression.iso8601(Date(timeIntervalSince1970: Double(run.startedAt) / 1000)),
                    run.metrics["pass_rate"].map { String(format: "%.1f%%", $0 * 100) } ?? "-", run.params["threshold"] ?? "-",
                    run.passed.map { $0 ? "pass" : "FAIL" } ?? "-", run.metrics["cases"].map { String(Int($0)) } ?? "-",
                ]
            }
            print(table(["RUN", "SUITE", "STARTED", "PASS_RATE", "THRESHOLD", "RESULT", "CASES"], rows))
        }
    }
}

/// Done, total, failures, errors, time and spend on one line of standard error, redrawn in place on a
/// terminal and every tenth of the way otherwise.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let isTerminal = isatty(2) == 1
    private let state = Mutex<(lastDraw: Double, lastTenth: Int, drawn: Bool)>((0, -1, false))

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ progress: EvalRunner.Progress) {
        guard enabled, progress.total > 0 else { return }
        let now = Date().timeIntervalSince1970
        let done = progress.done == progress.total
        let line: String? = state.withLock { state in
            if isTerminal {
                guard done || now - state.lastDraw >= 0.1 else { return nil }
                state.lastDraw = now
            } else {
                let tenth = progress.done * 10 / progress.total
                guard tenth != state.lastTenth else { return nil }
                state.lastTenth = tenth
            }
            state.drawn = true
            let width = 24
            let filled = progress.done * width / progress.total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            return "[\(bar)] \(progress.done)/\(progress.total) · \(progress.failures) failed · \(progress.errors) errors · "
                + String(format: "%.1f s · $%.4f", progress.elapsedSeconds, progress.costUSD)
        }
        guard let line else { return }
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    func finish() {
        let drawn = state.withLock { $0.drawn }
        if enabled && isTerminal && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Prints `message` on standard error as `error: …`.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Writes `text` to `path`, making its folder.
func write(_ text: String, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// A run's result as pretty JSON.
func jsonText(_ result: EvalRunResult) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(result), as: UTF8.self) + "\n"
}
