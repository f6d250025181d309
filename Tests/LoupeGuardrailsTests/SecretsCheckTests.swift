import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct SecretsCheckTests {
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    let check: SecretsCheck

    init() throws {
        check = try SecretsCheck()
    }

    @Test func corpusScoresAtLeast95PercentPerCategory() throws {
        let corpus = try GuardrailCorpus("secrets")
        #expect(corpus.cases.count >= 40)
        let (scores, mistakes) = try corpus.score(check)
        for mistake in mistakes { print(mistake) }
        for category in SecretsCheck.categories + ["*"] {
            let score = try #require(scores[category], "the corpus has no case for \(category)")
            print("secrets \(category): \(score)")
            #expect(score.precision >= 0.95, "\(category): \(score)\n\(mistakes.joined(separator: "\n"))")
            #expect(score.recall >= 0.95, "\(category): \(score)\n\(mistakes.joined(separator: "\n"))")
        }
    }

    @Test(arguments: [
        ("OPENAI_API_KEY=sk-proj-Q7xT2mVb9LkR4pZs8NcW1yHd6JfE3aUg\n", "OPENAI_API_KEY=[SECRET]\n"),
        ("id AKIAIOSFODNN7EXAMPLE.", "id [SECRET]."),
        ("api_key=zmaZsV2GenFmtX0moDoqW4sg&x=1", "api_key=[SECRET]&x=1"),
        (#""password": "Tr0ub4dor&3xYz!Q9w","#, #""password": "[SECRET]","#),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [SECRET]"),
        ("Authorization: Bearer 8NFNl5oFA6Qd8Mj7zdnbMjAd", "Authorization: Bearer [SECRET]"),
        ("Authorization: Bearer \(jwt)\r\n", "Authorization: Bearer [SECRET]\r\n"),
        ("url https://hooks.slack.com/services/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.", "url [SECRET]."),
        ("k: -----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\nbye", "k: [SECRET]\nbye"),
        ("start -----BEGIN RSA PRIVATE KEY-----\nMIIEow... (truncated", "start [SECRET]"),
    ])
    func redactsExactlyTheSecret(text: String, expected: String) throws {
        #expect(try redacted(text, by: check) == expected)
    }

    @Test func aKnownShapeWinsOverTheGenericValue() throws {
        let findings = try check.findings(in: #"{"token": "\#(Self.jwt)", "key": "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"}"#)
        #expect(findings.map(\.category) == ["jwt", "github_token"])
        let onlyGeneric = try SecretsCheck(options: GuardrailOptions(["types": .array([.string("generic_secret")])]))
        #expect(try onlyGeneric.findings(in: "token: \(Self.jwt)").map(\.category) == ["generic_secret"])
        #expect(try onlyGeneric.findings(in: "key \(Self.jwt)").isEmpty)
    }

    @Test func findingsComeBackInPositionOrder() throws {
        let text = """
            -----BEGIN EC PRIVATE KEY-----
            MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY
            -----END EC PRIVATE KEY-----
            GITHUB_TOKEN=ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d
            aws_access_key_id=AKIAIOSFODNN7EXAMPLE
            password: Tr0ub4dor&3xYz!Q9w
            slack xoxb-7413748477718-3417047187463-687neLfjVHq8xiM0OGr4hTxo
            claude sk-ant-api03-Pp0Oo9Ii8Uu7Yy6Tt5Rr4Ee3Ww2Qq1Aa then sk-JbW56eCuNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCueQpBe
            jwt=\(Self.jwt)
            aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
            """
        let findings = try check.findings(in: text)
        #expect(findings.map(\.category) == [
            "private_key", "github_token", "aws_access_key", "generic_secret", "slack_token", "anthropic_key", "openai_key",
            "jwt", "aws_secret_key",
        ])
        let starts = findings.compactMap(\.range?.lowerBound)
        #expect(starts == starts.sorted())
    }

    @Test func rangesCountUTF8BytesAroundMultiByteText() throws {
        let text = "Schlüssel 🔑: api_key=\"zmaZsV2GenFmtX0moDoqW4sg\" — und 鍵 sk-proj-Q7xT2mVb9LkR4pZs8NcW1yHd6JfE3aUg ✓"
        #expect(try redacted(text, by: check) == "Schlüssel 🔑: api_key=\"[SECRET]\" — und 鍵 [SECRET] ✓")
        let first = try #require(try check.findings(in: text).first?.range)
        #expect(String(decoding: Array(text.utf8)[first], as: UTF8.self) == "zmaZsV2GenFmtX0moDoqW4sg")
    }

    @Test func entropyThresholdDecidesForValuesFoundByName() throws {
        let text = "password=Summer2024Summer2024"  // about 3.0 bits per character
        #expect(try check.findings(in: text).isEmpty)
        let lenient = try SecretsCheck(options: GuardrailOptions(["entropy_threshold": .number(2.5)]))
        #expect(lenient.entropyThreshold == 2.5)
        #expect(try lenient.findings(in: text).map(\.category) == ["generic_secret"])
        let strict = try SecretsCheck(options: GuardrailOptions(["entropy_threshold": .number(6)]))
        #expect(try strict.findings(in: "api_key=zmaZsV2GenFmtX0moDoqW4sg").isEmpty)
        // Shapes do not depend on entropy.
        #expect(try strict.findings(in: "AKIAIOSFODNN7EXAMPLE").count == 1)
        #expect(check.entropyThreshold == 3.5)
    }

    @Test func typesLimitTheCategories() throws {
        let text = "AKIAIOSFODNN7EXAMPLE ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d api_key=zmaZsV2GenFmtX0moDoqW4sg"
        let githubOnly = try SecretsCheck(options: GuardrailOptions(["types": .array([.string("github_token")])]))
        #expect(githubOnly.types == ["github_token"])
        #expect(try githubOnly.findings(in: text).map(\.category) == ["github_token"])
        #expect(try check.findings(in: text).map(\.category) == ["aws_access_key", "github_token", "generic_secret"])
        #expect(check.types == SecretsCheck.categories)
    }

    @Test func badOptionsSayWhatIsExpected() {
        #expect {
            try SecretsCheck(options: GuardrailOptions(["types": .array([.string("jwt"), .string("password")])]))
        } throws: { error in
            let error = error as? GuardrailOptionError
            return error?.key == "types" && error!.message.contains("'password'") && error!.message.contains("generic_secret")
        }
        #expect {
            try SecretsCheck(options: GuardrailOptions(["entropy_threshold": .number(9)]))
        } throws: { error in
            (error as? GuardrailOptionError)?.key == "entropy_threshold"
        }
        #expect(throws: GuardrailOptionError.self) { try SecretsCheck(options: GuardrailOptions(["entropy": .number(3)])) }
    }

    @Test func everySecretHasTheSameMask() throws {
        for category in SecretsCheck.categories { #expect(check.mask(for: category) == "[SECRET]") }
        #expect(check.name == "secrets")
        #expect(try check.findings(in: "").isEmpty)
        #expect(check.canRedact)
    }

    /// One megabyte of each pattern: every detector reads a bounded distance or skips what it read,
    /// so each takes milliseconds; a quadratic scan would take hours.
    @Test(arguments: [
        ("-", 0), ("-----BEGIN ", 0), ("-----BEGIN PRIVATE KEY ", 0), ("sk-", 0), ("sk-a", 0), ("xoxb-", 0), ("ghp_", 0),
        ("_", 0), ("eyJ", 0), ("eyJ.", 0), ("AKIA", 0), ("A", 0), ("token=", 0), ("api_key: ", 0), ("a=", 0), (":", 0),
        ("/", 0), ("hooks.slack.com/", 0), ("bearer ", 0), ("b", 0), ("\"token\": \"", 0),
        ("AKIAIOSFODNN7EXAMPLE ", 1), ("api_key=zmaZsV2GenFmtX0moDoqW4sg ", 1),
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

    @Test func longValuesAndUnclosedBlocksStayLinear() throws {
        let clock = ContinuousClock()
        let cases: [(String, [String])] = [
            ("-----BEGIN PRIVATE KEY-----" + String(repeating: "-----END PUBLIC KEY----- ", count: 40_000), ["private_key"]),
            (String(repeating: "-----BEGIN PRIVATE KEY-----\n", count: 40_000), ["private_key"]),
            ("api_key=" + String(repeating: "zmaZsV2GenFmtX0moDoqW4sg", count: 40_000), ["generic_secret"]),
            ("sk-" + String(repeating: "x", count: 1_000_000), []),
            ("eyJ" + String(repeating: "a", count: 500_000) + ".eyJ" + String(repeating: "b", count: 500_000) + ".", []),
            (String(repeating: "=", count: 1_000_000), []),
        ]
        for (text, expected) in cases {
            var findings: [GuardrailFinding] = []
            let elapsed = try clock.measure { findings = try check.findings(in: text) }
            #expect(findings.map(\.category) == expected)
            #expect(elapsed < .seconds(5))
        }
    }

    /// Random texts over the bytes the detectors react to: findings stay inside the text, sorted and disjoint.
    @Test func randomTextsGiveOrderedDisjointRanges() throws {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("-_:=/\"' sktAKIJeyxobBghp0123456789aZ".utf8) + Array("ü".utf8)
        for _ in 0..<2_000 {
            let bytes = (0..<160).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
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
