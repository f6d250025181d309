import LoupeCore
import Testing

@testable import LoupeEvals

/// A case result as comparisons see it: who answered, which case, and how it came out.
private func outcome(
    _ prompt: String = "support/reply@1", model: String = "gpt-test", caseIndex: Int, repetition: Int = 0, _ status: EvalCaseResult.Status,
    score: Double? = nil
) -> EvalCaseResult {
    EvalCaseResult(
        prompt: prompt, model: model, caseIndex: caseIndex, repetition: repetition, source: "cases.jsonl:\(caseIndex + 1)", description: nil,
        vars: [:], expected: nil, status: status, score: score ?? (status == .pass ? 1 : 0), checks: [], output: nil,
        error: status == .error ? "HTTP 500: boom" : nil, attempts: 1, cached: false
    )
}

@Suite struct EvalComparisonTests {
    @Test func regressionsImprovementsAndScoreChangesAreSeparated() {
        let before = [
            outcome(caseIndex: 0, .pass),
            outcome(caseIndex: 1, .fail),
            outcome(caseIndex: 2, .pass),
            outcome(caseIndex: 3, .fail, score: 0.5),
            outcome(caseIndex: 4, .error),
            outcome(caseIndex: 5, .pass),
            outcome(caseIndex: 6, .error),
            outcome(caseIndex: 7, .fail, score: 0.5),
        ]
        let after = [
            outcome(caseIndex: 0, .fail),  // regression
            outcome(caseIndex: 1, .pass),  // improvement
            outcome(caseIndex: 2, .pass),  // unchanged
            outcome(caseIndex: 3, .fail, score: 0.2),  // same status, lower score
            outcome(caseIndex: 4, .fail),  // error to fail: neither, and the score held
            outcome(caseIndex: 5, .error),  // an error after a pass is a regression too
            outcome(caseIndex: 6, .pass),  // an error that now passes is an improvement
            outcome(caseIndex: 7, .fail, score: 0.5005),  // a move within 0.001 is no change
        ]
        let comparison = EvalComparison(before: before, after: after)
        #expect(comparison.regressions.map(\.after.caseIndex) == [0, 5])
        #expect(comparison.regressions.map(\.before.status) == [.pass, .pass])
        #expect(comparison.regressions.map(\.after.status) == [.fail, .error])
        #expect(comparison.improvements.map(\.after.caseIndex) == [1, 6])
        #expect(comparison.scoreChanges.map(\.after.caseIndex) == [3])
        #expect(comparison.scoreChanges.first?.before.score == 0.5)
        #expect(comparison.scoreChanges.first?.after.score == 0.2)
        #expect(comparison.onlyBefore == 0)
        #expect(comparison.onlyAfter == 0)
    }

    @Test func aPromptAtAnotherVersionStillMatchesItsCases() {
        let before = [outcome("support/reply@1", caseIndex: 0, .pass), outcome("support/reply@1", caseIndex: 1, .fail)]
        let after = [outcome("support/reply@2", caseIndex: 0, .fail), outcome("support/reply@2", caseIndex: 1, .pass)]
        let comparison = EvalComparison(before: before, after: after)
        #expect(comparison.regressions.count == 1)
        #expect(comparison.regressions.first?.before.prompt == "support/reply@1")
        #expect(comparison.regressions.first?.after.prompt == "support/reply@2")
        #expect(comparison.improvements.map(\.after.caseIndex) == [1])
        #expect(comparison.onlyBefore == 0)
        #expect(comparison.onlyAfter == 0)
    }

    @Test func casesInOnlyOneRunAreCounted() {
        let before = [
            outcome(model: "m1", caseIndex: 0, .pass), outcome(model: "m2", caseIndex: 0, .pass), outcome(model: "m2", caseIndex: 1, .pass),
        ]
        let after = [outcome(model: "m1", caseIndex: 0, .fail), outcome(model: "m3", caseIndex: 0, .fail)]
        let comparison = EvalComparison(before: before, after: after)
        // Only m1's case is in both runs; m2's two were dropped and m3's one was added.
        #expect(comparison.regressions.map(\.after.model) == ["m1"])
        #expect(comparison.onlyBefore == 2)
        #expect(comparison.onlyAfter == 1)
    }

    @Test func anotherPromptIsNotMatched() {
        let comparison = EvalComparison(before: [outcome("a/p@1", caseIndex: 0, .pass)], after: [outcome("b/p@1", caseIndex: 0, .fail)])
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.onlyBefore == 1)
        #expect(comparison.onlyAfter == 1)
    }

    @Test func repetitionsAreMatchedOneByOne() {
        let before = [outcome(caseIndex: 0, repetition: 0, .pass), outcome(caseIndex: 0, repetition: 1, .fail)]
        let after = [outcome(caseIndex: 0, repetition: 0, .pass), outcome(caseIndex: 0, repetition: 1, .pass)]
        let comparison = EvalComparison(before: before, after: after)
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.improvements.map(\.after.repetition) == [1])
    }

    @Test func twoVersionsOfOnePromptInOneSuiteAreComparedWithTheirOwnCounterparts() {
        // A suite that tests v1 against v2 (an A/B), run twice; the second time v2 regressed on case 0.
        let before = [outcome("support/reply@1", caseIndex: 0, .fail), outcome("support/reply@2", caseIndex: 0, .pass)]
        let after = [outcome("support/reply@1", caseIndex: 0, .fail), outcome("support/reply@2", caseIndex: 0, .fail)]
        let comparison = EvalComparison(before: before, after: after)
        #expect(comparison.regressions.count == 1)
        #expect(comparison.regressions.first?.before.prompt == "support/reply@2")
        #expect(comparison.regressions.first?.after.prompt == "support/reply@2")
        #expect(comparison.improvements.isEmpty)
        #expect(comparison.onlyBefore == 0)
        #expect(comparison.onlyAfter == 0)
    }

    @Test func anABWhoseVersionsBothMovedIsMatchedInOrder() {
        let before = [
            outcome("support/reply@1", caseIndex: 0, .pass), outcome("support/reply@2", caseIndex: 0, .fail),
            outcome("other/p@7", caseIndex: 0, .pass),
        ]
        let after = [
            outcome("support/reply@2", caseIndex: 0, .fail), outcome("support/reply@3", caseIndex: 0, .pass),
            outcome("other/p@8", caseIndex: 0, .pass),
        ]
        let comparison = EvalComparison(before: before, after: after)
        // The first version tested with the first, the second with the second.
        #expect(comparison.regressions.map { "\($0.before.prompt) → \($0.after.prompt)" } == ["support/reply@1 → support/reply@2"])
        #expect(comparison.improvements.map { "\($0.before.prompt) → \($0.after.prompt)" } == ["support/reply@2 → support/reply@3"])
        #expect(comparison.onlyBefore == 0)
        #expect(comparison.onlyAfter == 0)
    }

    @Test func identicalRunsShowNoChange() {
        let run = [outcome(caseIndex: 0, .pass), outcome(caseIndex: 1, .fail, score: 0.4), outcome(caseIndex: 2, .error)]
        let comparison = EvalComparison(before: run, after: run)
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.improvements.isEmpty)
        #expect(comparison.scoreChanges.isEmpty)
        #expect(comparison.onlyBefore == 0)
        #expect(comparison.onlyAfter == 0)
    }
}
