import Foundation
import LoupeConfig
import LoupeCore
import Testing

@testable import LoupeEvals

/// A folder of its own under the system's temporary directory, removed when the test is done with it.
private struct SuiteFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("LoupeEvalsTests-suite-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (folders created as needed) and returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true
        )
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Parses suite text, expecting it to fail, and returns the error.
private func loadError(_ yaml: String, file: String = "evals/broken.yaml") throws -> ConfigError {
    do throws(ConfigError) {
        let suite = try EvalSuite.parse(yaml: yaml, file: file)
        Issue.record("expected an error, got a suite with \(suite.cases.count) cases")
    } catch {
        return error
    }
    throw NoErrorThrown()
}

private struct NoErrorThrown: Error {}

/// The shortest suite that loads, for tests that change one key.
private let minimalSuite = """
    prompts: ["Answer {{question}}"]
    models: [gpt-4o-mini]
    tests:
      - vars: {question: hi}

    """

@Suite struct EvalSuiteLoadingTests {
    // MARK: - A full suite

    @Test func aFullSuiteWithADatasetBesideItLoadsEveryKey() throws {
        let folder = try SuiteFolder()
        defer { folder.remove() }
        let datasetText = """
            {"vars": {"question": "Where is my order?"}, "expected": "tracking"}
            {"vars": {"question": "Refund please"}, "expected": "refund", "description": "refunds"}

            """
        try folder.write("evals/datasets/support.jsonl", datasetText)
        let suitePath = try folder.write(
            "evals/support.yaml",
            """
            description: Support answers stay on topic
            prompts:
              - support/reply:production
              - support/reply@3
              - support/reply
              - "Answer the customer: {{question}}"
              - {text: "support/reply"}
            models: [gpt-4o-mini, claude-haiku]
            dataset: datasets/support.jsonl
            tests:
              - description: greeting
                vars: {question: hello, count: 2}
                expected: a greeting
                metadata: {owner: team-a}
                assert:
                  - {type: icontains, value: hello}
                  - type: not-contains
                    value: sorry
                    weight: 3
                    metric: tone
            default_assert:
              - {type: latency, threshold: 5000}
            threshold: 0.85
            concurrency: 8
            repeat: 3
            parameters: {temperature: 0, max_tokens: 200}
            judge_model: gpt-4o
            embedding_model: text-embedding-3-small

            """
        )

        let suite = try EvalSuite.load(path: suitePath, environment: [:])

        #expect(suite.name == "support")
        #expect(suite.description == "Support answers stay on topic")
        #expect(suite.prompts == [
            .registry(name: "support/reply", label: "production", version: nil),
            .registry(name: "support/reply", label: nil, version: 3),
            .registry(name: "support/reply", label: nil, version: nil),
            .inline("Answer the customer: {{question}}"),
            .inline("support/reply"),
        ])
        #expect(suite.models == ["gpt-4o-mini", "claude-haiku"])
        // The dataset's cases first, then the inline tests.
        #expect(suite.cases.count == 3)
        #expect(suite.cases[0].vars == ["question": .string("Where is my order?")])
        #expect(suite.cases[0].expected == .string("tracking"))
        #expect(suite.cases[0].source == "support.jsonl:1")
        #expect(suite.cases[1].description == "refunds")
        let inline = suite.cases[2]
        #expect(inline.description == "greeting")
        #expect(inline.vars == ["question": .string("hello"), "count": .number(2)])
        #expect(inline.expected == .string("a greeting"))
        #expect(inline.metadata == ["owner": .string("team-a")])
        #expect(inline.source == "\(suitePath) tests[0]")
        #expect(inline.assertions == [
            Assertion(kind: .icontains, value: .string("hello")),
            Assertion(kind: .contains, negated: true, value: .string("sorry"), weight: 3, metric: "tone"),
        ])
        #expect(suite.defaultAssertions == [Assertion(kind: .latency, threshold: 5000)])
        // The dataset is referenced as written, with the SHA-256 of its bytes and its case count.
        let dataset = try #require(suite.dataset)
        #expect(dataset.path == "datasets/support.jsonl")
        #expect(dataset.cases == 2)
        let loaded = try Dataset.load(path: folder.path + "/evals/datasets/support.jsonl")
        #expect(dataset.contentHash == loaded.contentHash)
        #expect(dataset.contentHash.count == 64)
        #expect(suite.threshold == 0.85)
        #expect(suite.concurrency == 8)
        #expect(suite.repeatCount == 3)
        #expect(suite.parameters == ["temperature": .number(0), "max_tokens": .number(200)])
        #expect(suite.judgeModel == "gpt-4o")
        #expect(suite.embeddingModel == "text-embedding-3-small")
        #expect(suite.experiment == "evals/support")
    }

    @Test func defaultsApplyWhenKeysAreLeftOut() throws {
        let suite = try EvalSuite.parse(yaml: minimalSuite, file: "evals/smoke.yaml")
        #expect(suite.name == "smoke")
        #expect(suite.description == "")
        #expect(suite.threshold == 1)
        #expect(suite.concurrency == 4)
        #expect(suite.repeatCount == 1)
        #expect(suite.parameters.isEmpty)
        #expect(suite.judgeModel == nil)
        #expect(suite.embeddingModel == nil)
        #expect(suite.dataset == nil)
        #expect(suite.defaultAssertions.isEmpty)
        #expect(suite.experiment == "evals/smoke")
        #expect(suite.cases.map(\.source) == ["evals/smoke.yaml tests[0]"])
    }

    @Test func anExplicitExperimentReplacesTheDefault() throws {
        let suite = try EvalSuite.parse(yaml: minimalSuite + "experiment: team/support-evals\n", file: "evals/smoke.yaml")
        #expect(suite.experiment == "team/support-evals")
    }

    @Test func environmentVariablesAreInterpolatedInStrings() throws {
        let yaml = """
            prompts: ["Answer {{question}}"]
            models: ["${EVAL_MODEL}", "${OTHER_MODEL:-gpt-4o}"]
            tests: [{vars: {question: hi}}]

            """
        let suite = try EvalSuite.parse(yaml: yaml, file: "evals/env.yaml", environment: ["EVAL_MODEL": "claude-haiku"])
        #expect(suite.models == ["claude-haiku", "gpt-4o"])
    }

    @Test func anAbsoluteDatasetPathIsUsedAsItIs() throws {
        let folder = try SuiteFolder()
        defer { folder.remove() }
        let dataset = try folder.write("data/cases.csv", "question,expected\nhi,hello\n")
        let suite = try EvalSuite.parse(
            yaml: "prompts: [\"{{question}}\"]\nmodels: [m]\ndataset: \(dataset)\n", file: folder.path + "/evals/other/suite.yaml"
        )
        #expect(suite.cases.count == 1)
        #expect(suite.cases[0].vars == ["question": .string("hi")])
        #expect(suite.cases[0].expected == .string("hello"))
        #expect(suite.dataset?.path == dataset)
    }

    @Test func loadReportsAFileThatCannotBeRead() throws {
        let folder = try SuiteFolder()
        defer { folder.remove() }
        let path = folder.path + "/evals/missing.yaml"
        do throws(ConfigError) {
            _ = try EvalSuite.load(path: path, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.message.contains("cannot be read"))
        }
    }

    // MARK: - Errors with the file, the line and the key

    @Test func anUnknownTopLevelKeyIsReportedOnItsLineWithTheValidKeys() throws {
        let error = try loadError(minimalSuite + "treshold: 0.9\n")
        #expect(error.file == "evals/broken.yaml")
        #expect(error.line == 5)
        #expect(error.key == "treshold")
        for key in ["description", "prompts", "models", "dataset", "tests", "default_assert", "threshold", "concurrency", "repeat", "parameters"] {
            #expect(error.message.contains(key), "the message should list \(key)")
        }
        #expect(error.description.hasPrefix("evals/broken.yaml:5: treshold: unknown key"))
    }

    @Test func anUnknownAssertionTypeIsReportedOnItsLineWithTheValidTypes() throws {
        let yaml = """
            prompts: ["Answer {{question}}"]
            models: [gpt-4o-mini]
            tests:
              - vars: {question: hi}
                assert:
                  - type: icontains
                    value: hi
                  - type: contains-some
                    value: [a, b]

            """
        let error = try loadError(yaml)
        #expect(error.line == 8)
        #expect(error.key == "tests[0].assert[1].type")
        #expect(error.message.contains("unknown assertion type 'contains-some'"))
        #expect(error.message.contains("contains-any"))
        #expect(error.message.contains("llm-rubric"))
        #expect(error.description.hasPrefix("evals/broken.yaml:8: tests[0].assert[1].type: unknown assertion type"))
    }

    @Test func anUnknownTypeInDefaultAssertIsReportedToo() throws {
        let error = try loadError(minimalSuite + "default_assert:\n  - {type: not-shouts}\n")
        #expect(error.line == 6)
        #expect(error.key == "default_assert[0].type")
        #expect(error.message.contains("'not-shouts'"))
    }

    @Test(arguments: ["1.5", "-0.1"])
    func aThresholdOutsideZeroToOneIsRefused(_ threshold: String) throws {
        let error = try loadError(minimalSuite + "threshold: \(threshold)\n")
        #expect(error.line == 5)
        #expect(error.key == "threshold")
        #expect(error.message.contains("pass rate from 0 to 1"))
    }

    @Test func aThresholdThatIsNoNumberIsRefused() throws {
        let error = try loadError(minimalSuite + "threshold: most\n")
        #expect(error.line == 5)
        #expect(error.key == "threshold")
        #expect(error.message.contains("expected a number"))
    }

    @Test func aConcurrencyOfZeroIsRefused() throws {
        let error = try loadError(minimalSuite + "concurrency: 0\n")
        #expect(error.line == 5)
        #expect(error.key == "concurrency")
        #expect(error.message.contains("from 1 to 1024"))
    }

    @Test func aSuiteWithoutPromptsIsRefused() throws {
        let error = try loadError("models: [gpt-4o-mini]\ntests: [{vars: {q: hi}}]\n")
        #expect(error.file == "evals/broken.yaml")
        #expect(error.message.contains("a suite needs `prompts`"))
    }

    @Test func anEmptyPromptListIsRefused() throws {
        let error = try loadError("prompts: []\nmodels: [gpt-4o-mini]\ntests: [{vars: {q: hi}}]\n")
        #expect(error.message.contains("a suite needs `prompts`"))
    }

    @Test func aSuiteWithoutModelsIsRefused() throws {
        let error = try loadError("prompts: [\"Hi {{q}}\"]\ntests: [{vars: {q: hi}}]\n")
        #expect(error.file == "evals/broken.yaml")
        #expect(error.message.contains("a suite needs `models`"))
    }

    @Test func aSuiteWithoutCasesIsRefused() throws {
        let error = try loadError("prompts: [\"Hi {{q}}\"]\nmodels: [gpt-4o-mini]\n")
        #expect(error.message.contains("a suite needs cases"))
        let empty = try loadError("prompts: [\"Hi {{q}}\"]\nmodels: [gpt-4o-mini]\ntests: []\n")
        #expect(empty.message.contains("a suite needs cases"))
    }

    @Test func anEmptyFileIsRefused() throws {
        let error = try loadError("")
        #expect(error.file == "evals/broken.yaml")
        #expect(error.message.contains("is empty"))
    }

    @Test func invalidYAMLIsReportedWithItsLine() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models: [gpt-4o-mini
            tests: [{vars: {q: hi}}]

            """
        let error = try loadError(yaml)
        #expect(error.file == "evals/broken.yaml")
        #expect(error.message.hasPrefix("invalid YAML"))
        // The list opened on line 2 is still open when line 3 starts a new key: the parser stops there.
        #expect(error.line == 3)
    }

    @Test func aBadIndentIsReportedOnTheLineWhereItIsFound() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models:
              - gpt-4o-mini
             - claude-haiku
            tests: [{vars: {q: hi}}]

            """
        let error = try loadError(yaml)
        #expect(error.message.hasPrefix("invalid YAML"))
        #expect(error.line == 4)
    }

    @Test func aNonMappingDocumentIsRefused() throws {
        let error = try loadError("- just\n- a list\n")
        #expect(error.message.contains("expected a mapping"))
    }

    @Test func aContainsAnyWithANumberNamesTheValueLine() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models: [gpt-4o-mini]
            tests:
              - vars: {q: hi}
                assert:
                  - type: contains-any
                    value: 42

            """
        let error = try loadError(yaml)
        #expect(error.line == 7)
        #expect(error.key == "tests[0].assert[0].value")
        #expect(error.message.contains("contains-any expects a list of strings"))
    }

    @Test func aLatencyCheckWithoutAThresholdNamesTheAssertion() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models: [gpt-4o-mini]
            tests: [{vars: {q: hi}}]
            default_assert:
              - {type: icontains, value: hi}
              - {type: latency}

            """
        let error = try loadError(yaml)
        #expect(error.line == 6)
        #expect(error.key == "default_assert[1].threshold")
        #expect(error.message.contains("latency needs a threshold in milliseconds"))
    }

    @Test func aRegexWithABackreferenceIsRefusedAtLoadTime() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models: [gpt-4o-mini]
            tests:
              - vars: {q: hi}
                assert:
                  - type: regex
                    value: '(a)\\1'

            """
        let error = try loadError(yaml)
        #expect(error.line == 7)
        #expect(error.key == "tests[0].assert[0].value")
        #expect(error.message.contains("not a usable pattern"))
        #expect(error.message.contains("backreferences"))
    }

    @Test func aJSONSchemaWithAnUnknownKeywordIsRefusedAtLoadTime() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models: [gpt-4o-mini]
            tests:
              - vars: {q: hi}
                assert:
                  - type: json-schema
                    value:
                      type: object
                      requird: [answer]

            """
        let error = try loadError(yaml)
        #expect(error.line == 8)
        #expect(error.key == "tests[0].assert[0].value")
        #expect(error.message.contains("not a usable JSON Schema"))
        #expect(error.message.contains("requird"))
        #expect(error.message.contains("unknown keyword"))
    }

    @Test func anUnknownKeyInAnAssertionIsNamed() throws {
        let error = try loadError(minimalSuite + "default_assert:\n  - type: icontains\n    valeu: hi\n")
        #expect(error.line == 7)
        #expect(error.key == "default_assert[0].valeu")
        #expect(error.message.contains("unknown key"))
    }

    @Test func anUnknownKeyInATestIsNamed() throws {
        let yaml = """
            prompts: ["Hi {{q}}"]
            models: [gpt-4o-mini]
            tests:
              - vars: {q: hi}
                expect: hello

            """
        let error = try loadError(yaml)
        #expect(error.line == 5)
        #expect(error.key == "tests[0].expect")
        #expect(error.message.contains("expected"))
    }

    @Test func varsThatAreNotAMappingAreRefused() throws {
        let error = try loadError("prompts: [\"Hi {{q}}\"]\nmodels: [m]\ntests:\n  - vars: [q, hi]\n")
        #expect(error.line == 4)
        #expect(error.key == "tests[0].vars")
        #expect(error.message.contains("mapping of variable names"))
    }

    @Test func aPromptMappingWithoutTextIsRefused() throws {
        let error = try loadError("prompts:\n  - {name: support/reply}\nmodels: [m]\ntests: [{vars: {q: hi}}]\n")
        #expect(error.line == 2)
        #expect(error.key == "prompts[0].name")
        #expect(error.message.contains("unknown key"))
    }

    @Test func aDatasetThatCannotBeLoadedIsReportedOnTheDatasetLine() throws {
        let folder = try SuiteFolder()
        defer { folder.remove() }
        try folder.write("evals/datasets/bad.jsonl", "{\"vars\": {\"q\": \"hi\"}}\nnot json\n")
        let suitePath = try folder.write("evals/suite.yaml", "prompts: [\"Hi {{q}}\"]\nmodels: [m]\ndataset: datasets/bad.jsonl\n")
        do throws(ConfigError) {
            _ = try EvalSuite.load(path: suitePath, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.file == suitePath)
            #expect(error.line == 3)
            #expect(error.key == "dataset")
            // The dataset's own file and line are in the message.
            #expect(error.message.contains("bad.jsonl:2"))
        }
    }

    @Test func aMissingDatasetIsReported() throws {
        let folder = try SuiteFolder()
        defer { folder.remove() }
        let suitePath = try folder.write("evals/suite.yaml", "prompts: [\"Hi {{q}}\"]\nmodels: [m]\ndataset: datasets/none.jsonl\n")
        do throws(ConfigError) {
            _ = try EvalSuite.load(path: suitePath, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.contains("datasets/none.jsonl"))
            #expect(error.message.contains("no such dataset file"))
        }
    }

    // MARK: - Prompt references

    @Test func registryReferencesAreRead() {
        #expect(EvalPrompt.reference("support/reply:production") == .registry(name: "support/reply", label: "production", version: nil))
        #expect(EvalPrompt.reference("support/reply@3") == .registry(name: "support/reply", label: nil, version: 3))
        #expect(EvalPrompt.reference("support/reply") == .registry(name: "support/reply", label: nil, version: nil))
        #expect(EvalPrompt.reference("greeting") == .registry(name: "greeting", label: nil, version: nil))
        #expect(EvalPrompt.reference("team_a/reply-v2.b:staging-2") == .registry(name: "team_a/reply-v2.b", label: "staging-2", version: nil))
        #expect(EvalPrompt.reference("a/b@12") == .registry(name: "a/b", label: nil, version: 12))
    }

    @Test(arguments: [
        "Answer {{question}}",  // a template
        "{{question}}",  // only a variable
        "Reply briefly",  // spaces
        "a/b@0",  // version 0
        "a/b@-1",  // negative version
        "a/b@three",  // version is no number
        "a/b@",  // no version
        "a/b:",  // no label
        ":production",  // no name
        "@3",  // no name
        "a/b:prod/x",  // a label with a slash
        "https://example.com/x",  // a URL
        "/abs/path",  // starts with a slash
        ".hidden",  // starts with a dot
        "réponse",  // not ASCII
        "Summarize:\n{{text}}",  // a label-like colon in text
        "Mail support@example.com",  // an @ in text
        "",
    ])
    func textThatIsNoReferenceIsNotRead(_ text: String) {
        #expect(EvalPrompt.reference(text) == nil)
    }

    @Test func textThatIsNoReferenceIsAnInlinePromptInASuite() throws {
        let yaml = """
            prompts:
              - "a/b@0"
              - "Reply to {{question}} politely"
            models: [m]
            tests: [{vars: {question: hi}}]

            """
        let suite = try EvalSuite.parse(yaml: yaml, file: "evals/p.yaml")
        #expect(suite.prompts == [.inline("a/b@0"), .inline("Reply to {{question}} politely")])
    }

    @Test func displayNamesAreHowReportsNamePrompts() {
        #expect(EvalPrompt.registry(name: "a/b", label: "production", version: nil).displayName == "a/b:production")
        #expect(EvalPrompt.registry(name: "a/b", label: "production", version: 4).displayName == "a/b@4")
        #expect(EvalPrompt.registry(name: "a/b", label: nil, version: nil).displayName == "a/b")
        #expect(EvalPrompt.inline("First line\nsecond line").displayName == "First line")
        let long = EvalPrompt.inline(String(repeating: "x", count: 50)).displayName
        #expect(long == String(repeating: "x", count: 39) + "…")
        #expect(long.count == 40)
    }
}
