import Foundation
import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct RegexCheckTests {
    private func check(_ options: [String: JSONValue]) throws -> RegexCheck {
        try RegexCheck(options: GuardrailOptions(options))
    }

    private func patterns(_ patterns: String...) -> JSONValue {
        .array(patterns.map { .string($0) })
    }

    /// The flagged substrings.
    private func flagged(_ check: RegexCheck, _ text: String) throws -> [String] {
        try check.findings(in: text).map { finding in
            let range = try #require(finding.range)
            return String(decoding: Array(text.utf8)[range], as: UTF8.self)
        }
    }

    private static let email = "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"

    @Test func flagsEachDenyMatchInOrder() throws {
        let check = try check(["deny": patterns(Self.email)])
        let text = "write to bob@example.com or to ann@example.org today"
        let findings = try check.findings(in: text)
        #expect(findings.map(\.category) == ["denied_pattern", "denied_pattern"])
        #expect(findings.map(\.range) == [9..<24, 31..<46])
        #expect(try flagged(check, text) == ["bob@example.com", "ann@example.org"])
        #expect(try check.findings(in: "no addresses here, only an @ sign").isEmpty)
        #expect(check.name == "regex")
        #expect(check.canRedact)
        #expect(!check.needsCompleteText)
    }

    @Test func allowExcusesDenyMatchesInsideIt() throws {
        let check = try check([
            "deny": patterns(Self.email),
            "allow": patterns("[A-Za-z0-9._%+-]+@ourcompany\\.com\\b"),
        ])
        let text = "cc alice@ourcompany.com and mallory@evil.com"
        #expect(try flagged(check, text) == ["mallory@evil.com"])
        // An allow match that covers only part of a deny match does not excuse it.
        #expect(try flagged(check, "alice@ourcompany.com.evil.net") == ["alice@ourcompany.com.evil.net"])
    }

    @Test func overlappingDenyMatchesMergeAndOrderByPosition() throws {
        let check = try check(["deny": patterns("zzz", "abc", "bcd")])
        #expect(try check.findings(in: "abcd zzz").map(\.range) == [0..<4, 5..<8])
        // Touching matches stay apart: each is a match of its own.
        #expect(try check.findings(in: "abczzz").map(\.range) == [0..<3, 3..<6])
    }

    @Test func optionsCaseCategoryAndMask() throws {
        let check = try check([
            "deny": .string("project\\s+falcon"),
            "case_insensitive": .bool(true),
            "category": .string("codename"),
            "mask": .string("[CODENAME]"),
        ])
        let findings = try check.findings(in: "About PROJECT  Falcon: ship it")
        #expect(findings == [GuardrailFinding(category: "codename", range: 6..<21)])
        #expect(check.mask(for: "codename") == "[CODENAME]")
        #expect(check.category == "codename")

        let plain = try self.check(["deny": .string("project falcon")])
        #expect(try plain.findings(in: "Project Falcon").isEmpty)
        #expect(plain.mask(for: "denied_pattern") == "[REDACTED]")
    }

    @Test func manyPatternsFindTheOneThatMatches() throws {
        // Several patterns go through one combined DFA first; a match of the last must still be found.
        let check = try check(["deny": patterns("alpha\\d+", "beta-[a-z]+", "gamma_\\w+", "JIRA-\\d{3,}", "(?i)top\\s+secret")])
        let text = String(repeating: "nothing to see here. ", count: 100) + "ticket JIRA-12345 is Top Secret"
        #expect(try flagged(check, text) == ["JIRA-12345", "Top Secret"])
        #expect(try check.findings(in: String(repeating: "nothing to see here. ", count: 100)).isEmpty)
    }

    @Test func nonASCIIText() throws {
        let check = try check(["deny": .string("(?i)geheim\\w*"), "mask": .string("█")])
        let text = "Das ist GEHEIMSACHE – streng geheim."
        #expect(try flagged(check, text) == ["GEHEIMSACHE", "geheim"])
    }

    // MARK: - Option errors

    @Test func badPatternsNameTheirNumber() throws {
        #expect(throws: GuardrailOptionError(key: "deny", message: "pattern 2 '(abc': unclosed '(' at 0")) {
            try check(["deny": patterns("ok", "(abc")])
        }
        #expect(throws: GuardrailOptionError(key: "allow", message: "pattern 1 '(a)\\1': backreferences (\\1 at 3) are not supported: Loupe's regexes run in linear time")) {
            try check(["deny": patterns("a"), "allow": patterns("(a)\\1")])
        }
        #expect(throws: GuardrailOptionError(key: "deny", message: "pattern 1 '\\b' can only match empty text, so it would never apply")) {
            try check(["deny": patterns("\\b")])
        }
        #expect(throws: GuardrailOptionError(key: "deny", message: "pattern 1 '' can only match empty text, so it would never apply")) {
            try check(["deny": patterns("")])
        }
    }

    @Test func missingOrWrongOptions() {
        #expect(throws: GuardrailOptionError(key: "deny", message: "expected at least one pattern")) { try RegexCheck() }
        #expect(throws: GuardrailOptionError(key: "deny", message: "expected at least one pattern")) { try check(["deny": .array([])]) }
        #expect(throws: GuardrailOptionError(key: "deny", message: "expected a list of strings")) { try check(["deny": .number(3)]) }
        #expect(throws: GuardrailOptionError(key: "denied", message: "unknown option; expected one of: deny, allow, case_insensitive, category, mask")) {
            try check(["denied": patterns("a")])
        }
        #expect(throws: GuardrailOptionError(key: "case_insensitive", message: "expected true or false")) {
            try check(["deny": patterns("a"), "case_insensitive": .string("yes")])
        }
        #expect(throws: GuardrailOptionError(key: "category", message: "expected a non-empty category")) {
            try check(["deny": patterns("a"), "category": .string("")])
        }
    }

    // MARK: - Linear time

    @Test func adversarialPatternsOnAMegabyte() throws {
        let check = try check(["deny": patterns("(a+)+b", "(a|aa)+c", "(\\w+\\s?)+!", Self.email)])
        let inputs = [
            String(repeating: "a", count: 1 << 20),
            String(repeating: "a@", count: 1 << 19),
            String(repeating: "word ", count: (1 << 20) / 5) + "?",
        ]
        for text in inputs {
            let started = ContinuousClock.now
            let findings = try check.findings(in: text)
            let elapsed = ContinuousClock.now - started
            #expect(findings.isEmpty)
            #expect(elapsed < .seconds(1), "took \(elapsed) on \(text.prefix(10))…")
        }
    }
}
