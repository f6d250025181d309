import LoupeCore
import Testing

@testable import LoupeGuardrails

/// `max_chars`, `max_input_tokens`, `contains` and `not_contains`.
@Suite struct SimpleChecksTests {
    @Test func maxCharsCountsCharactersNotBytes() throws {
        let check = try MaxCharsCheck(options: GuardrailOptions(["max": .number(3)]))
        #expect(try check.findings(in: "ééé").isEmpty)
        #expect(try check.findings(in: "éééé").map(\.category) == ["too_long"])
        #expect(throws: GuardrailOptionError.self) { try MaxCharsCheck(options: GuardrailOptions()) }
        #expect(throws: GuardrailOptionError.self) { try MaxCharsCheck(options: GuardrailOptions(["max": .number(3), "mx": .number(1)])) }
    }

    @Test func tokenEstimateIsCloseToATokenizerOnProse() throws {
        // Splitting this by hand the way cl100k does (words with their leading space, numbers in threes)
        // gives about 38 tokens; the estimate may be somewhat higher, never far lower.
        var text = "The quick brown fox jumps over the lazy dog. It was 2024, and the temperature reached 35 degrees in Paris, "
            + "so everyone stayed inside with cold drinks and fans running all afternoon."
        let estimate = text.withUTF8 { MaxInputTokensCheck.estimateTokens($0) }
        #expect((38...46).contains(estimate), "estimate \(estimate)")
        let check = try MaxInputTokensCheck(options: GuardrailOptions(["max": .number(20)]))
        #expect(try check.findings(in: text).first?.category == "too_many_tokens")
    }

    @Test func containsNeedsAllOrAny() throws {
        let all = try ContainsCheck(options: GuardrailOptions(["values": .array([.string("Sources:"), .string("Disclaimer")])]))
        #expect(try all.findings(in: "Sources: x. Disclaimer").isEmpty)
        #expect(try all.findings(in: "Sources: x.").first?.detail == "does not contain 'Disclaimer'")
        let any = try ContainsCheck(options: GuardrailOptions(["values": .array([.string("yes"), .string("no")]), "mode": .string("any"), "case_insensitive": .bool(true)]))
        #expect(try any.findings(in: "NO").isEmpty)
        #expect(try any.findings(in: "maybe").count == 1)
        #expect(all.needsCompleteText && !all.canRedact)
    }

    @Test func notContainsFindsEveryOccurrenceInOrder() throws {
        let check = try NotContainsCheck(options: GuardrailOptions(["values": .array([.string("beta"), .string("ALPHA")]), "case_insensitive": .bool(true)]))
        let findings = try check.findings(in: "alpha, Beta, alphabet")
        #expect(findings.map(\.range) == [0..<5, 7..<11, 13..<18])
    }

    @Test func adversarialInputStaysLinear() throws {
        let check = try NotContainsCheck(options: GuardrailOptions(["value": .string(String(repeating: "a", count: 50) + "b")]))
        let text = String(repeating: "a", count: 1_000_000)
        let started = ContinuousClock.now
        #expect(try check.findings(in: text).isEmpty)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
