import Foundation
import LoupeCore
import Testing

@testable import LoupeEvals

/// A case result with one check of `type` that passed or not, or an error.
private func reported(
    _ prompt: String, _ model: String, caseIndex: Int, _ status: EvalCaseResult.Status, score: Double? = nil, reason: String = "found it",
    description: String? = nil, latency: Double = 100, cost: Double? = nil
) -> EvalCaseResult {
    let check = EvalCaseResult.Check(type: "icontains", pass: status == .pass, score: status == .pass ? 1 : 0, reason: reason, weight: 1, metric: nil)
    return EvalCaseResult(
        prompt: prompt, model: model, caseIndex: caseIndex, repetition: 0, source: "support.jsonl:\(caseIndex + 1)", description: description,
        vars: [:], expected: nil, status: status, score: score ?? (status == .pass ? 1 : 0), checks: status == .error ? [] : [check],
        output: status == .error ? nil : EvalOutput(text: "answer", latencyMs: latency, costUSD: cost),
        error: status == .error ? "HTTP 503: upstream unavailable" : nil, attempts: 1, cached: false
    )
}

/// A run from its cases, one cell per prompt × model in order of appearance.
private func run(_ cases: [EvalCaseResult], threshold: Double) -> EvalRunResult {
    var cells: [EvalCellSummary] = []
    for item in cases where !cells.contains(where: { $0.prompt == item.prompt && $0.model == item.model }) {
        let mine = cases.filter { $0.prompt == item.prompt && $0.model == item.model }
        cells.append(EvalCellSummary(prompt: item.prompt, promptVersion: nil, model: item.model, summary: EvalSummary(mine)))
    }
    return EvalRunResult(
        suite: "support", description: "", dataset: nil, threshold: threshold, startedAt: 0, durationMs: 1234, cells: cells, cases: cases
    )
}

/// The table's rows, split into cells (names here have no spaces).
private func rows(_ matrix: String) -> [[String]] {
    matrix.split(separator: "\n").prefix { !$0.hasPrefix("support:") }.map { $0.split(separator: " ").map(String.init) }
}

@Suite struct EvalReportTests {
    @Test func theMatrixShowsEachCellsFigures() {
        let result = run([
            reported("reply@3", "gpt-4o-mini", caseIndex: 0, .pass, latency: 100, cost: 0.02),
            reported("reply@3", "gpt-4o-mini", caseIndex: 1, .fail, score: 0.25, latency: 300, cost: 0.01),
            reported("reply@3", "gpt-4o-mini", caseIndex: 2, .pass, latency: 200, cost: 0.01),
            reported("reply@3", "gpt-4o-mini", caseIndex: 3, .error),
            reported("reply@3", "claude-haiku", caseIndex: 0, .pass, latency: 50, cost: 0.0005),
            reported("reply@3", "claude-haiku", caseIndex: 1, .pass, latency: 70),
            reported("reply@3", "claude-haiku", caseIndex: 2, .pass, latency: 60),
            reported("reply@3", "claude-haiku", caseIndex: 3, .pass, latency: 80),
        ], threshold: 0.75)
        let table = rows(EvalReport.matrix(result))
        #expect(table.count == 3)
        #expect(table[0] == ["prompt", "model", "pass", "rate", "passed", "errors", "score", "cost", "p50", "latency"])
        // 2 of 4 passed (the error counts as not passing), mean score (1 + 0.25 + 1 + 0) / 4.
        #expect(table[1] == ["reply@3", "gpt-4o-mini", "50.0%", "2/4", "1", "0.56", "$0.0400", "200", "ms"])
        // A cost under a cent keeps six decimals.
        #expect(table[2] == ["reply@3", "claude-haiku", "100.0%", "4/4", "0", "1.00", "$0.000500", "60", "ms"])
    }

    @Test func theMatrixColumnsLineUp() {
        let result = run([
            reported("a-long-prompt-name@12", "m", caseIndex: 0, .pass), reported("p@1", "a-much-longer-model-name", caseIndex: 0, .fail),
        ], threshold: 0)
        let lines = EvalReport.matrix(result).split(separator: "\n").prefix(3)
        #expect(Set(lines.map(\.count)).count == 1)
        // Names are left-aligned, figures right-aligned.
        #expect(lines[lines.startIndex + 2].hasPrefix("p@1 "))
        #expect(lines.allSatisfy { $0.hasSuffix("ms") || $0.hasSuffix("latency") })
    }

    @Test func theVerdictComparesThePassRateWithTheThreshold() {
        let cases = [
            reported("p@1", "m", caseIndex: 0, .pass), reported("p@1", "m", caseIndex: 1, .pass), reported("p@1", "m", caseIndex: 2, .fail),
            reported("p@1", "m", caseIndex: 3, .error),
        ]
        let failing = EvalReport.matrix(run(cases, threshold: 0.9))
        #expect(failing.hasSuffix("support: 2 passed, 1 failed, 1 errors of 4 cases; pass rate 50.0% against a threshold of 90.0%: FAIL\n"))
        let passing = EvalReport.matrix(run(cases, threshold: 0.5))
        #expect(passing.hasSuffix("pass rate 50.0% against a threshold of 50.0%: PASS\n"))
    }

    @Test func aCellWithoutAnswersShowsNoLatencyAndNoCost() {
        let result = run([reported("p@1", "m", caseIndex: 0, .error)], threshold: 1)
        let table = rows(EvalReport.matrix(result))
        #expect(table[1] == ["p@1", "m", "0.0%", "0/1", "1", "0.00", "$0", "-"])
    }

    @Test func worstFailuresAreSortedByScoreWithTheirReasons() {
        let result = run([
            reported("p@1", "m", caseIndex: 0, .fail, score: 0.5, reason: "did not mention 'refund'"),
            reported("p@1", "m", caseIndex: 1, .pass),
            reported("p@1", "m", caseIndex: 2, .error),
            reported("p@1", "m", caseIndex: 3, .fail, score: 0.1, reason: "line one\nline two", description: "angry customer"),
            reported("p@1", "m", caseIndex: 4, .fail, score: 0.9, reason: "almost"),
        ], threshold: 1)
        let text = EvalReport.worstFailures(result, limit: 3)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Worst cases (3 of 4 not passing):")
        // The error scores 0, then 0.1 and 0.5; the 0.9 case is past the limit.
        #expect(lines[1] == "  ERROR  p@1 × m  support.jsonl:3  score 0.00")
        #expect(lines[2] == "        HTTP 503: upstream unavailable")
        #expect(lines[3] == "  FAIL  p@1 × m  support.jsonl:4 angry customer  score 0.10")
        // The failing check's type and reason, on one line.
        #expect(lines[4] == "        icontains: line one line two")
        #expect(lines[5] == "  FAIL  p@1 × m  support.jsonl:1  score 0.50")
        #expect(lines[6] == "        icontains: did not mention 'refund'")
        #expect(!text.contains("almost"))
        #expect(lines.count == 8 && lines[7].isEmpty)
    }

    @Test func equalScoresKeepTheCaseOrder() throws {
        let result = run([
            reported("p@1", "m", caseIndex: 2, .fail, score: 0, reason: "third"), reported("p@1", "m", caseIndex: 0, .fail, score: 0, reason: "first"),
        ], threshold: 1)
        let text = EvalReport.worstFailures(result)
        let first = try #require(text.range(of: "first"))
        let third = try #require(text.range(of: "third"))
        #expect(first.lowerBound < third.lowerBound)
    }

    @Test func longReasonsAreCut() {
        let reason = String(repeating: "r", count: 500)
        let text = EvalReport.worstFailures(run([reported("p@1", "m", caseIndex: 0, .fail, reason: reason)], threshold: 1))
        let line = text.split(separator: "\n")[2].trimmingPrefix(while: { $0 == " " })
        #expect(line.count == 200)
        #expect(line.hasSuffix("…"))
        #expect(line.hasPrefix("icontains: rrr"))
    }

    @Test func aRunWhereEverythingPassedHasNoWorstCases() {
        let result = run([reported("p@1", "m", caseIndex: 0, .pass)], threshold: 1)
        #expect(EvalReport.worstFailures(result) == "")
    }
}
