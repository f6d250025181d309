import LoupeCore
import Testing

@testable import LoupeGuardrails

/// A check that always fails to run, for the `on_error` paths.
private struct BrokenCheck: GuardrailCheck {
    struct Broken: Error {}
    let name = "broken"
    func findings(in text: UnsafeBufferPointer<UInt8>) throws -> [GuardrailFinding] { throw Broken() }
}

/// A judge that answers from a table, standing in for the model behind the proxy.
private struct TableJudge: GuardrailJudge {
    var answer: String?
    func answer(_ judge: LLMJudge, text: String, direction: GuardrailResult.Direction) async throws -> String {
        guard let answer else { throw BrokenCheck.Broken() }
        return answer
    }
}

@Suite struct GuardrailPolicyTests {
    func notContains(_ values: [String], mask: String = "[X]") throws -> NotContainsCheck {
        try NotContainsCheck(options: GuardrailOptions(["values": .array(values.map(JSONValue.string)), "mask": .string(mask)]))
    }

    @Test func rulesRunInOrderAndLaterRulesSeeEarlierRedactions() async throws {
        let policy = GuardrailPolicy(name: "p", input: [
            GuardrailRule(try notContains(["acme"], mask: "[CO]"), action: .redact),
            GuardrailRule(try notContains(["acme", "[CO]"]), action: .flag),
        ])
        let evaluation = await policy.evaluate(["call acme now", "nothing here"], direction: .input, judge: nil)
        #expect(evaluation.texts == ["call [CO] now", "nothing here"])
        #expect(evaluation.block == nil && evaluation.redacted)
        #expect(evaluation.results == [
            GuardrailResult(direction: .input, check: "not_contains", action: .redact, category: "forbidden_content", count: 1),
            GuardrailResult(direction: .input, check: "not_contains", action: .flag, category: "forbidden_content", count: 1),
        ])
    }

    @Test func blockNamesTheFirstBlockingCheckButEveryRuleIsRecorded() async throws {
        let policy = GuardrailPolicy(name: "p", input: [
            GuardrailRule(try notContains(["alpha"]), action: .block),
            GuardrailRule(try notContains(["beta"]), action: .flag),
        ])
        let evaluation = await policy.evaluate(["alpha beta alpha"], direction: .input, judge: nil)
        #expect(evaluation.block == GuardrailBlock(direction: .input, check: "not_contains", category: "forbidden_content"))
        #expect(evaluation.results.map(\.count) == [2, 1])
        #expect(evaluation.texts == ["alpha beta alpha"])  // block does not redact...
        #expect(policy.maskedForRecord(evaluation.texts, direction: .input) == ["[X] beta [X]"])  // ...but the trace keeps it masked
    }

    @Test func wholeTextChecksSeeAllInputTogetherButEachAnswerAlone() async throws {
        let limit = try MaxCharsCheck(options: GuardrailOptions(["max": .number(10)]))
        let policy = GuardrailPolicy(name: "p", input: [GuardrailRule(limit, action: .block)], output: [GuardrailRule(limit, action: .block)])
        #expect(await policy.evaluate(["123456", "123456"], direction: .input, judge: nil).block?.category == "too_long")
        #expect(await policy.evaluate(["123456", "123456"], direction: .output, judge: nil).block == nil)
    }

    @Test func aCheckThatThrowsFollowsOnError() async throws {
        let allow = GuardrailPolicy(name: "p", input: [GuardrailRule(BrokenCheck(), action: .block, onError: .allow)])
        let allowed = await allow.evaluate(["text"], direction: .input, judge: nil)
        #expect(allowed.block == nil)
        #expect(allowed.results == [GuardrailResult(direction: .input, check: "broken", action: .flag, category: "check_error", count: 1)])
        let block = GuardrailPolicy(name: "p", input: [GuardrailRule(BrokenCheck(), action: .flag, onError: .block)])
        #expect(await block.evaluate(["text"], direction: .input, judge: nil).block?.category == "check_error")
    }

    @Test func theJudgeDecidesAndItsFailuresFollowOnError() async throws {
        let judge = try LLMJudge(options: GuardrailOptions(["prompt": .string("guardrails/topic")]))
        let policy = GuardrailPolicy(name: "p", input: [GuardrailRule(.judge(judge), action: .block, onError: .allow)])
        #expect(await policy.evaluate(["hi"], direction: .input, judge: TableJudge(answer: "PASS")).block == nil)
        let failed = await policy.evaluate(["hi"], direction: .input, judge: TableJudge(answer: "FAIL: off_topic"))
        #expect(failed.block == GuardrailBlock(direction: .input, check: "llm_judge", category: "off_topic"))
        let unclear = await policy.evaluate(["hi"], direction: .input, judge: TableJudge(answer: "Maybe?"))
        #expect(unclear.block == nil && unclear.results.first?.category == "check_error")
        let down = await policy.evaluate(["hi"], direction: .input, judge: TableJudge(answer: nil))
        #expect(down.block == nil && down.results.first?.category == "check_error")
        let strict = GuardrailPolicy(name: "p", input: [GuardrailRule(.judge(judge), action: .block, onError: .block)])
        #expect(await strict.evaluate(["hi"], direction: .input, judge: TableJudge(answer: nil)).block?.category == "check_error")
    }

    @Test func judgeVerdictsReadPlainAndJSONAnswers() throws {
        let judge = try LLMJudge(options: GuardrailOptions(["prompt": .string("p"), "category": .string("toxic")]))
        #expect(judge.verdict(fromAnswer: " pass. The text is fine") == .pass)
        #expect(judge.verdict(fromAnswer: "FAIL") == .fail(category: "toxic"))
        #expect(judge.verdict(fromAnswer: "Unsafe: harassment") == .fail(category: "harassment"))
        #expect(judge.verdict(fromAnswer: #"{"pass": false, "category": "off_topic"}"#) == .fail(category: "off_topic"))
        #expect(judge.verdict(fromAnswer: #"{"pass": true}"#) == .pass)
        #expect(judge.verdict(fromAnswer: "I cannot say") == nil)
    }

    @Test func redactionMergesOverlappingSpansAndKeepsMultibyteText() throws {
        let check = try notContains(["ab", "bc"])
        #expect(Redaction.apply(try check.findings(in: "é abc é"), of: check, to: "é abc é") == "é [X] é")
    }
}
