import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct PIICheckTests {
    let check: PIICheck

    init() throws {
        check = try PIICheck()
    }

    @Test func corpusScoresAtLeast95PercentPerCategory() throws {
        let corpus = try GuardrailCorpus("pii")
        #expect(corpus.cases.count >= 40)
        let (scores, mistakes) = try corpus.score(check)
        for mistake in mistakes { print(mistake) }
        for category in PIICheck.categories + ["*"] {
            let score = try #require(scores[category], "the corpus has no case for \(category)")
            print("pii \(category): \(score)")
            #expect(score.precision >= 0.95, "\(category): \(score)\n\(mistakes.joined(separator: "\n"))")
            #expect(score.recall >= 0.95, "\(category): \(score)\n\(mistakes.joined(separator: "\n"))")
        }
    }

    @Test(arguments: [
        ("Mail jane.doe@example.com today.", "Mail [EMAIL] today."),
        ("Call +44 20 7946 0958.", "Call [PHONE]."),
        ("US (415) 555-0132, ok", "US [PHONE], ok"),
        ("Pay 4111 1111 1111 1111 now", "Pay [CREDIT_CARD] now"),
        ("to DE89 3704 0044 0532 0130 00.", "to [IBAN]."),
        ("SSN 536-22-1843!", "SSN [SSN]!"),
        ("from 203.0.113.45:443", "from [IP_ADDRESS]:443"),
        ("via [2001:db8::8a2e:370:7334]", "via [[IP_ADDRESS]]"),
        ("<a href=\"mailto:ops@loupe.dev\">", "<a href=\"mailto:[EMAIL]\">"),
        ("card 4111 1111 1111 1111 12/26 123", "card [CREDIT_CARD] 12/26 123"),
    ])
    func redactsExactlyTheValue(text: String, expected: String) throws {
        #expect(try redacted(text, by: check) == expected)
    }

    @Test func findingsComeBackInPositionOrder() throws {
        let text = "ip 10.1.2.3, mail a@b.io, phone 415-555-0132, card 5555-5555-5555-4444, ssn 536-22-1843, "
            + "iban GB29NWBK60161331926819, v6 fe80::1ff:fe23:4567:890a, mail again z@y.org"
        let findings = try check.findings(in: text)
        #expect(findings.map(\.category) == [
            "ip_address", "email", "phone", "credit_card", "ssn", "iban", "ip_address", "email",
        ])
        let starts = findings.compactMap(\.range?.lowerBound)
        #expect(starts == starts.sorted())
    }

    @Test func rangesCountUTF8BytesAroundMultiByteText() throws {
        let text = "Écrivez-moi 😀 à jean.dupont@exemple.fr — ou appelez le 01 23 45 67 89 ✓ 请联系 wang@example.cn"
        #expect(try redacted(text, by: check) == "Écrivez-moi 😀 à [EMAIL] — ou appelez le [PHONE] ✓ 请联系 [EMAIL]")
        let first = try #require(try check.findings(in: text).first?.range)
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[first], as: UTF8.self) == "jean.dupont@exemple.fr")
    }

    @Test func anEmailWinsOverDigitsInsideIt() throws {
        #expect(try redacted("text 415-555-0132@txt.example.com", by: check) == "text [EMAIL]")
        #expect(try redacted("root@10.20.30.40", by: check) == "root@[IP_ADDRESS]")
    }

    @Test func typesLimitTheCategories() throws {
        let emailOnly = try PIICheck(options: GuardrailOptions(["types": .array([.string("email")])]))
        #expect(emailOnly.types == ["email"])
        let text = "a@b.io 415-555-0132 10.1.2.3"
        #expect(try emailOnly.findings(in: text).map(\.category) == ["email"])
        let two = try PIICheck(options: GuardrailOptions(["types": .array([.string("ip_address"), .string("phone")])]))
        #expect(try two.findings(in: text).map(\.category) == ["phone", "ip_address"])
        #expect(check.types == PIICheck.categories)
    }

    @Test func unknownTypesAndOptionsNameTheValidOnes() {
        #expect {
            try PIICheck(options: GuardrailOptions(["types": .array([.string("email"), .string("passport")])]))
        } throws: { error in
            let error = error as? GuardrailOptionError
            return error?.key == "types" && error!.message.contains("'passport'")
                && error!.message.contains("email, phone, credit_card, iban, ssn, ip_address")
        }
        #expect(throws: GuardrailOptionError.self) { try PIICheck(options: GuardrailOptions(["types": .array([])])) }
        #expect(throws: GuardrailOptionError.self) { try PIICheck(options: GuardrailOptions(["type": .string("email")])) }
        #expect(throws: GuardrailOptionError.self) { try PIICheck(options: GuardrailOptions(["types": .number(1)])) }
    }

    @Test func masksNameTheCategory() throws {
        #expect(check.mask(for: "credit_card") == "[CREDIT_CARD]")
        #expect(check.mask(for: "ip_address") == "[IP_ADDRESS]")
        #expect(check.name == "pii")
        #expect(try check.findings(in: "").isEmpty)
        #expect(check.canRedact)
    }

    /// One megabyte of each pattern: every detector reads a bounded distance or skips what it read,
    /// so each takes milliseconds; a quadratic scan would take hours.
    @Test(arguments: [
        ("a@", 0), ("a.", 0), ("1-", 0), ("1 ", 0), ("1.", 0), ("+1 ", 0), ("(1", 0), ("(0", 0), ("0 1", 0), ("::", 0),
        ("1:", 0), ("a:", 0), ("ff:", 0), ("4111 ", 0), ("DE89 ", 0), ("+(0)", 0), ("@a.", 0), ("x", 0),
        ("jane@example.com ", 1), ("203.0.113.45 ", 1), ("415-555-0132 ", 1),
    ])
    func adversarialMegabyteStaysLinear(pattern: String, findingsPerRepeat: Int) throws {
        let repeats = 1_000_000 / pattern.utf8.count
        let text = String(repeating: pattern, count: repeats)
        let clock = ContinuousClock()
        var findings: [GuardrailFinding] = []
        let elapsed = try clock.measure { findings = try check.findings(in: text) }
        #expect(findings.count == repeats * findingsPerRepeat)
        #expect(elapsed < .seconds(5), "\(pattern.debugDescription) × \(repeats) took \(elapsed)")
    }

    @Test func longRunsAroundTriggersStayLinear() throws {
        let clock = ContinuousClock()
        let texts = [
            String(repeating: "a", count: 1_000_000) + "@example.com",
            "x@" + String(repeating: "a.", count: 500_000) + "com",
            String(repeating: "1", count: 1_000_000),
            "+" + String(repeating: "1 ", count: 500_000),
            String(repeating: "fe80::", count: 200_000),
        ]
        for text in texts {
            var findings: [GuardrailFinding] = []
            let elapsed = try clock.measure { findings = try check.findings(in: text) }
            #expect(findings.isEmpty)
            #expect(elapsed < .seconds(5))
        }
    }

    /// Random texts over the bytes the detectors react to: findings stay inside the text, sorted and disjoint.
    @Test func randomTextsGiveOrderedDisjointRanges() throws {
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("@.-+() :/0123456789aeAEfxDG".utf8) + Array("é".utf8)
        for _ in 0..<2_000 {
            let bytes = (0..<120).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let findings = bytes.withUnsafeBufferPointer { check.findings(in: $0) }
            var end = 0
            for finding in findings {
                let range = try #require(finding.range)
                #expect(range.lowerBound >= end && range.upperBound <= bytes.count && !range.isEmpty)
                end = range.upperBound
            }
        }
    }
}
