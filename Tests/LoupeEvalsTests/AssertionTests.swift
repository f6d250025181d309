import Foundation
import LoupeCore
import LoupeGuardrails
import Testing

@testable import LoupeEvals

/// One call a grader received.
struct GraderCall: Sendable, Hashable {
    var prompt: String
    var variables: [String: JSONValue]
    var model: String?
}

/// What the fake grader was asked, in order.
actor GraderLog {
    private(set) var judgeCalls: [GraderCall] = []
    private(set) var embedCalls: [[String]] = []
    private(set) var embedModels: [String?] = []

    func recordJudge(_ call: GraderCall) { judgeCalls.append(call) }

    func recordEmbed(_ texts: [String], model: String?) {
        embedCalls.append(texts)
        embedModels.append(model)
    }
}

struct GraderFailure: Error, CustomStringConvertible {
    var description: String
}

/// A deterministic stand-in for the judge and embedding models: fixed answers, fixed vectors by text.
struct FakeGrader: EvalGrader {
    var answer = ""
    var vectors: [String: [Double]] = [:]
    /// Returned in place of the vectors, to test a grader that answers with the wrong count.
    var embeddingsOverride: [[Double]]?
    var failure: String?
    let log = GraderLog()

    func judge(prompt: String, variables: [String: JSONValue], model: String?) async throws -> String {
        await log.recordJudge(GraderCall(prompt: prompt, variables: variables, model: model))
        if let failure { throw GraderFailure(description: failure) }
        return answer
    }

    func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
        await log.recordEmbed(texts, model: model)
        if let failure { throw GraderFailure(description: failure) }
        if let embeddingsOverride { return embeddingsOverride }
        return texts.map { vectors[$0] ?? [0, 0, 1] }
    }
}

/// Evaluates one assertion on an answer.
func check(
    _ kind: AssertionKind, _ value: JSONValue? = nil, on output: EvalOutput, negated: Bool = false, threshold: Double? = nil,
    provider: String? = nil, context: AssertionContext = AssertionContext()
) async -> AssertionOutcome {
    await Assertion(kind: kind, negated: negated, value: value, threshold: threshold, provider: provider).evaluate(output, context: context)
}

func check(
    _ kind: AssertionKind, _ value: JSONValue? = nil, on text: String, negated: Bool = false, threshold: Double? = nil,
    provider: String? = nil, context: AssertionContext = AssertionContext()
) async -> AssertionOutcome {
    await check(kind, value, on: EvalOutput(text: text), negated: negated, threshold: threshold, provider: provider, context: context)
}

func strings(_ items: String...) -> JSONValue { .array(items.map(JSONValue.string)) }

@Suite struct AssertionRenderingTests {
    @Test func expectedAndVarsAreRenderedIntoTheValue() async {
        let context = AssertionContext(vars: ["product": .string("laptop"), "n": .number(3)], expected: .string("refund"))
        let pass = await check(.contains, .string("{{expected}} for the {{product}} ({{vars.n}})"), on: "a refund for the laptop (3) today", context: context)
        #expect(pass.pass && pass.reason == "output contains 'refund for the laptop (3)'")
        let fail = await check(.contains, .string("{{expected}} for the {{product}}"), on: "a refund for the phone", context: context)
        #expect(!fail.pass && fail.reason == "output does not contain 'refund for the laptop'")
    }

    @Test func renderingDoesNotEscapeHTML() async {
        let context = AssertionContext(vars: ["quote": .string("it's <b>&</b> \"done\"")])
        let outcome = await check(.equals, .string("{{quote}}"), on: "it's <b>&</b> \"done\"", context: context)
        #expect(outcome.pass, "\(outcome.reason)")
        let mixed = await check(.equals, .string("say: {{quote}}"), on: "say: it's <b>&</b> \"done\"", context: context)
        #expect(mixed.pass, "\(mixed.reason)")
    }

    @Test func stringsInsideListsAndObjectsAreRendered() async {
        let context = AssertionContext(vars: ["tool": .string("get_weather"), "city": .string("Paris"), "a": .string("x"), "b": .string("y")])
        let output = EvalOutput(text: "", toolCalls: [EvalToolCall(name: "get_weather", arguments: #"{"city": "Paris", "unit": "c"}"#)])
        let call = await check(.toolCall, .object(["name": .string("{{tool}}"), "arguments": .object(["city": .string("{{city}}")])]), on: output, context: context)
        #expect(call.pass, "\(call.reason)")
        let all = await check(.containsAll, .array([.string("{{a}}1"), .string("{{b}}2")]), on: "x1 y2", context: context)
        #expect(all.pass, "\(all.reason)")
        let missing = await check(.containsAll, .array([.string("{{a}}1"), .string("{{b}}3")]), on: "x1 y2", context: context)
        #expect(!missing.pass && missing.reason.contains("'y3'"))
    }

    @Test func aSingleTagKeepsTheTypeOfWhatItNames() async {
        let expected: JSONValue = .object(["answer": .number(42), "unit": .string("m")])
        let context = AssertionContext(vars: ["keywords": strings("refund", "return")], expected: expected)
        let json = await check(.equals, .string("{{expected}}"), on: #"{"unit": "m", "answer": 42.0}"#, context: context)
        #expect(json.pass, "\(json.reason)")
        let other = await check(.equals, .string("{{ expected }}"), on: #"{"unit": "m", "answer": 41}"#, context: context)
        #expect(!other.pass && other.reason.contains("differs"))
        let any = await check(.containsAny, .string("{{vars.keywords}}"), on: "you can return it", context: context)
        #expect(any.pass && any.reason.contains("'return'"))
        let count = await check(.wordCount, .string("{{n}}"), on: "one two", context: AssertionContext(vars: ["n": .number(2)]))
        #expect(count.pass, "\(count.reason)")
    }

    @Test func aTemplateThatDoesNotParseFailsEvenNegated() async {
        for negated in [false, true] {
            let outcome = await check(.contains, .string("{{#open}} never closed"), on: "anything", negated: negated)
            #expect(!outcome.pass && outcome.score == 0)
            #expect(outcome.reason.contains("template does not parse"), "\(outcome.reason)")
        }
    }

    @Test func aMissingVariableRendersEmptyAndIsRefused() async {
        let outcome = await check(.contains, .string("{{nothing}}"), on: "text")
        #expect(!outcome.pass && outcome.reason == "contains expects a string (the text to find), got an empty string")
    }
}

@Suite struct AssertionNegationTests {
    @Test func negationInvertsPassAndScoreAndSaysSo() async {
        let found = await check(.contains, .string("refund"), on: "we refund it", negated: true)
        #expect(found == AssertionOutcome(pass: false, score: 0, reason: "output contains 'refund' (not-contains: expected it not to)"))
        let absent = await check(.contains, .string("refund"), on: "no money back", negated: true)
        #expect(absent == AssertionOutcome(pass: true, score: 1, reason: "output does not contain 'refund' (not-contains: negated, so it passes)"))
    }

    @Test func negatedGradedScoresAreComplemented() async {
        // kitten → sitting: distance 3 over 7 characters, score 4/7; negated 3/7 and failing (3 ≤ 5).
        let plain = await check(.levenshtein, .string("sitting"), on: "kitten")
        let negated = await check(.levenshtein, .string("sitting"), on: "kitten", negated: true)
        #expect(plain.pass && abs(plain.score - 4.0 / 7.0) < 1e-12)
        #expect(!negated.pass && abs(negated.score - 3.0 / 7.0) < 1e-12)
        #expect(negated.reason.hasSuffix("(not-levenshtein: expected it not to)"))
    }

    @Test func aBadValueFailsEvenNegated() async {
        let outcome = await check(.containsAny, .number(3), on: "3", negated: true)
        #expect(!outcome.pass && outcome.score == 0)
        #expect(outcome.reason == "not-contains-any expects a list of strings or a comma-separated string (the texts to find), got a number")
    }

    @Test func noTypePassesWithoutItsValueOrContext() async {
        // No value, no threshold, no tools, no guardrails, no grader: nothing can pass, and nothing is a placeholder.
        for kind in AssertionKind.allCases {
            let outcome = await check(kind, on: EvalOutput(text: "hello", latencyMs: 1, costUSD: 0))
            #expect(!outcome.pass, "\(kind.rawValue): \(outcome.reason)")
            #expect(!outcome.reason.contains("not implemented"))
        }
    }
}

@Suite struct TextAssertionTests {
    @Test func equalsComparesTextExactly() async {
        #expect(await check(.equals, .string("Paris"), on: "Paris").pass)
        let trailing = await check(.equals, .string("Paris"), on: "Paris\n")
        #expect(!trailing.pass && trailing.reason.contains("differs from 'Paris'"))
        #expect(await check(.equals, .number(42), on: "42").pass)
        #expect(!(await check(.equals, .number(42), on: "42.0").pass))
    }

    @Test func equalsComparesJSONValuesForAnObjectOrList() async {
        let value: JSONValue = .object(["a": .array([.number(1), .bool(true)])])
        #expect(await check(.equals, value, on: #" {"a": [1.0, true]} "#).pass)
        #expect(!(await check(.equals, value, on: #"{"a": [1, false]}"#).pass))
        let notJSON = await check(.equals, strings("x"), on: "x")
        #expect(!notJSON.pass && notJSON.reason == #"output is not JSON, so it does not equal ["x"]"#)
    }

    @Test func containsIsCaseSensitiveAndIcontainsIsNot() async {
        #expect(await check(.contains, .string("Refund"), on: "Full Refund").pass)
        #expect(!(await check(.contains, .string("refund"), on: "Full Refund").pass))
        #expect(await check(.icontains, .string("refund"), on: "FULL REFUND").pass)
        // Unicode lower-casing, not ASCII only.
        let unicode = await check(.icontains, .string("école"), on: "L'ÉCOLE EST FERMÉE")
        #expect(unicode.pass && unicode.reason == "output contains 'école' (ignoring case)")
        #expect(!(await check(.icontains, .string("ecole"), on: "L'ÉCOLE").pass))
        #expect(await check(.contains, .number(12), on: "order 123").pass)
    }

    @Test func startsWith() async {
        #expect(await check(.startsWith, .string("Dear"), on: "Dear customer").pass)
        let fail = await check(.startsWith, .string("Dear"), on: " Dear customer")
        #expect(!fail.pass && fail.reason.hasSuffix("not 'Dear'"))
    }

    @Test func containsAnyTakesAListOrCommaSeparatedText() async {
        let list = await check(.containsAny, strings("refund", "return"), on: "you may return it")
        #expect(list.pass && list.reason == "output contains 'return' (one of 'refund', 'return')")
        let none = await check(.containsAny, strings("refund", "return"), on: "no")
        #expect(!none.pass && none.reason == "output contains none of 'refund', 'return'")
        #expect(await check(.containsAny, .string(" refund ,return"), on: "no return").pass)
        // Case-sensitive.
        #expect(!(await check(.containsAny, .string("Refund, Return"), on: "refund").pass))
        // A quoted item may hold a comma.
        #expect(await check(.containsAny, .string(#""yes, sir", never"#), on: "yes, sir!").pass)
        #expect(!(await check(.containsAny, .string(#""yes, sir", never"#), on: "yes sir").pass))
    }

    @Test func commaSeparatedParsing() {
        #expect(Assertion.commaSeparated(#" a , "b, c" ,d,, "e" "#) == ["a", "b, c", "d", "e"])
        #expect(Assertion.commaSeparated(#"say "hi", x"#) == [#"say "hi""#, "x"])
    }

    @Test func containsAllNeedsEveryItem() async {
        #expect(await check(.containsAll, strings("a", "b"), on: "b and a").pass)
        let fail = await check(.containsAll, .string("alpha, beta, gamma"), on: "beta only")
        #expect(!fail.pass && fail.reason == "output lacks 'alpha', 'gamma' (of 'alpha', 'beta', 'gamma')")
    }

    @Test func listValuesOfTheWrongShapeAreRefused() async {
        let nested = await check(.containsAll, .array([.string("a"), .object([:])]), on: "a")
        #expect(!nested.pass && nested.reason == "contains-all expects a list of strings or a comma-separated string (the texts to find), got a list holding an object")
        let empty = await check(.containsAny, .string(" , "), on: "a")
        #expect(!empty.pass && empty.reason.contains("got no non-empty item"))
    }

    @Test func regexUsesTheLinearEngine() async {
        let pass = await check(.regex, .string(#"\b\d{3}-\d{4}\b"#), on: "call 555-1234 now")
        #expect(pass.pass && pass.reason == #"output matches /\b\d{3}-\d{4}\b/"#)
        #expect(!(await check(.regex, .string(#"^\d+$"#), on: "12a").pass))
        #expect(await check(.regex, .string("(?i)^hello"), on: "HELLO there").pass)
    }

    @Test func regexRefusesBackreferencesAndLookaroundEvenNegated() async {
        for pattern in [#"(a)\1"#, "foo(?=bar)"] {
            for negated in [false, true] {
                let outcome = await check(.regex, .string(pattern), on: "aa foobar", negated: negated)
                #expect(!outcome.pass)
                #expect(outcome.reason.contains("cannot be used") && outcome.reason.contains("not supported"), "\(outcome.reason)")
            }
        }
    }

    @Test func wordCountExactOrBounded() async {
        #expect(await check(.wordCount, .number(3), on: " one  two\nthree ").pass)
        let exact = await check(.wordCount, .number(2), on: "one two three")
        #expect(!exact.pass && exact.reason == "output has 3 words (expected 2)")
        #expect(await check(.wordCount, .object(["min": .number(2), "max": .number(4)]), on: "a b c d").pass)
        let range = await check(.wordCount, .object(["min": .number(2), "max": .number(4)]), on: "a b c d e")
        #expect(!range.pass && range.reason == "output has 5 words (expected 2 to 4)")
        #expect(await check(.wordCount, .object(["min": .number(1)]), on: "word").pass)
        let atMost = await check(.wordCount, .object(["max": .number(1)]), on: "two words")
        #expect(!atMost.pass && atMost.reason == "output has 2 words (expected at most 1)")
    }

    @Test func wordCountRefusesBadValues() async {
        #expect(await check(.wordCount, .string("three"), on: "a").reason.hasPrefix("word-count expects a whole number"))
        #expect(await check(.wordCount, .number(2.5), on: "a").reason.hasPrefix("word-count expects a whole number"))
        #expect(await check(.wordCount, .object(["min": .number(5), "max": .number(2)]), on: "a").reason == "word-count: min 5 is above max 2")
        #expect(await check(.wordCount, .object(["minimum": .number(5)]), on: "a").reason.contains("got an object with minimum"))
        #expect(await check(.wordCount, .object([:]), on: "a").reason.hasPrefix("word-count expects"))
    }

    @Test func levenshteinPassesByThresholdAndScoresByDistance() async {
        let pass = await check(.levenshtein, .string("sitting"), on: "kitten")
        #expect(pass.pass && pass.reason == "edit distance 3 ≤ 5 from 'sitting'")
        let strict = await check(.levenshtein, .string("sitting"), on: "kitten", threshold: 2)
        #expect(!strict.pass && abs(strict.score - 4.0 / 7.0) < 1e-12 && strict.reason == "edit distance 3 > 2 from 'sitting'")
        let far = await check(.levenshtein, .string("abc"), on: "xyzxyzxyz")
        #expect(!far.pass && far.score == 0)
        #expect(await check(.levenshtein, .string(""), on: "").score == 1)
    }

    @Test func rougeN() async {
        // 5 of the reference's 6 unigrams (see TextMetricsTests): 0.833 ≥ 0.75.
        let pass = await check(.rougeN, .string("the cat is on the mat"), on: "The cat sat on the mat.")
        #expect(pass.pass && abs(pass.score - 5.0 / 6.0) < 1e-12 && pass.reason == "ROUGE-1 recall 0.833 ≥ 0.75")
        let strict = await check(.rougeN, .string("the cat is on the mat"), on: "The cat sat on the mat.", threshold: 0.9)
        #expect(!strict.pass && strict.reason == "ROUGE-1 recall 0.833 < 0.9")
        // "the" and "cat": 2 of 6.
        let fail = await check(.rougeN, .string("the cat is on the mat"), on: "The cat.")
        #expect(!fail.pass && abs(fail.score - 2.0 / 6.0) < 1e-12)
        // The best of several references: "the cat" recalls 2 of 2 in the second.
        let best = await check(.rougeN, strings("the cat is on the mat", "The cat"), on: "The cat.")
        #expect(best.pass && best.score == 1 && best.reason == "ROUGE-1 recall 1 ≥ 0.75 (best of 2, against 'The cat')")
        #expect(await check(.rougeN, .object([:]), on: "x").reason == "rouge-n expects a string or a list of strings (the reference texts), got an object")
    }

    @Test func bleu() async {
        // 2^(−5/4) ≈ 0.420 (see TextMetricsTests): under the default 0.5, over 0.4.
        let fail = await check(.bleu, .string("the cat is on the mat"), on: "the cat sat on the mat")
        #expect(!fail.pass && abs(fail.score - pow(2, -1.25)) < 1e-12 && fail.reason == "BLEU 0.42 < 0.5")
        #expect(await check(.bleu, .string("the cat is on the mat"), on: "the cat sat on the mat", threshold: 0.4).pass)
        // Several references: (1/4)^(1/4) ≈ 0.707.
        let several = await check(.bleu, strings("a cat sat", "the dog"), on: "the cat sat")
        #expect(several.pass && abs(several.score - 0.5.squareRoot()) < 1e-12)
        #expect(await check(.bleu, .bool(true), on: "x").reason == "bleu expects a string or a list of strings (the reference texts), got a boolean")
    }
}

@Suite struct JSONAssertionTests {
    let schema: JSONValue = .object([
        "type": .string("object"),
        "required": strings("name", "age"),
        "properties": .object(["name": .object(["type": .string("string")]), "age": .object(["type": .string("integer"), "minimum": .number(0)])]),
    ])

    @Test func isJSONParsesTheWholeOutput() async {
        #expect(await check(.isJSON, on: #" {"a": 1} "#).pass)
        #expect(await check(.isJSON, on: "42").pass)
        let prose = await check(.isJSON, on: "Here: {\"a\": 1}")
        #expect(!prose.pass && prose.reason.hasPrefix("output is not valid JSON: "))
        #expect(!(await check(.isJSON, on: "```json\n{\"a\": 1}\n```").pass))
    }

    @Test func isJSONWithASchema() async {
        let pass = await check(.isJSON, schema, on: #"{"name": "Ada", "age": 36}"#)
        #expect(pass.pass && pass.reason == "output is JSON matching the schema")
        let fail = await check(.isJSON, schema, on: #"{"name": "Ada", "age": -1.5}"#)
        #expect(!fail.pass && fail.reason.hasPrefix("output is JSON but does not match the schema: /age:"), "\(fail.reason)")
        let missing = await check(.isJSON, schema, on: #"{"name": "Ada"}"#)
        #expect(!missing.pass && missing.reason.contains("missing required property"), "\(missing.reason)")
        // A schema given as JSON text works too.
        #expect(await check(.isJSON, .string(#"{"type": "array"}"#), on: "[1]").pass)
    }

    @Test func aSchemaTheValidatorCannotEnforceIsRefused() async {
        let outcome = await check(.isJSON, .object(["anyOf": .array([])]), on: "{}", negated: true)
        #expect(!outcome.pass && outcome.reason.hasPrefix("not-is-json: the schema cannot be used: /anyOf"), "\(outcome.reason)")
        #expect(await check(.isJSON, .number(1), on: "{}").reason == "is-json expects a JSON Schema object, got a number")
    }

    @Test func containsJSONFindsValuesInProseAndFences() async {
        let fenced = await check(.containsJSON, on: "Result:\n```json\n{\"ok\": true}\n```")
        #expect(fenced.pass && fenced.reason == #"output contains JSON: {"ok":true}"#)
        #expect(await check(.containsJSON, on: "the list is [1, 2, 3].").pass)
        let none = await check(.containsJSON, on: "no {json} at all, only 42")
        #expect(!none.pass && none.reason == "output contains no JSON object or list")
    }

    @Test func containsJSONWithASchemaNeedsOneMatchingValue() async {
        let text = #"First {"name": "Bo"} then {"name": "Ada", "age": 36}"#
        let pass = await check(.containsJSON, schema, on: text)
        #expect(pass.pass && pass.reason.contains(#""age":36"#))
        let fail = await check(.containsJSON, schema, on: #"only {"name": "Bo"} and [1]"#)
        #expect(!fail.pass && fail.reason.hasPrefix("output contains 2 JSON values, none matching the schema: "), "\(fail.reason)")
    }

    @Test func jsonSchemaRequiresASchema() async {
        #expect(await check(.jsonSchema, schema, on: #"{"name": "Ada", "age": 36}"#).pass)
        #expect(!(await check(.jsonSchema, schema, on: #"{"name": 7, "age": 36}"#).pass))
        #expect(!(await check(.jsonSchema, schema, on: "not json").pass))
        #expect(await check(.jsonSchema, on: "{}").reason == "json-schema expects a JSON Schema object, got no value")
    }
}

@Suite struct CallAssertionTests {
    @Test func latencyNeedsAThreshold() async {
        let fast = await check(.latency, on: EvalOutput(text: "", latencyMs: 850), threshold: 1000)
        #expect(fast.pass && fast.reason == "latency 850 ms ≤ 1000 ms")
        #expect(!(await check(.latency, on: EvalOutput(text: "", latencyMs: 1000.5), threshold: 1000).pass))
        let none = await check(.latency, on: EvalOutput(text: "", latencyMs: 1), negated: true)
        #expect(!none.pass && none.reason == "not-latency needs a threshold: the most milliseconds the call may take")
    }

    @Test func costNeedsAThresholdAndAKnownPrice() async {
        let cheap = await check(.cost, on: EvalOutput(text: "", costUSD: 0.0012), threshold: 0.01)
        #expect(cheap.pass && cheap.reason == "cost $0.0012 ≤ $0.01")
        #expect(!(await check(.cost, on: EvalOutput(text: "", costUSD: 0.02), threshold: 0.01).pass))
        let unknown = await check(.cost, on: EvalOutput(text: ""), negated: true, threshold: 0.01)
        #expect(!unknown.pass && unknown.reason.contains("cost is unknown"))
        #expect(await check(.cost, on: EvalOutput(text: "", costUSD: 0), threshold: nil).reason.contains("needs a threshold"))
    }

    @Test func finishReason() async {
        #expect(await check(.finishReason, .string("stop"), on: EvalOutput(text: "", finishReason: "STOP")).pass)
        let length = await check(.finishReason, .string("stop"), on: EvalOutput(text: "", finishReason: "length"))
        #expect(!length.pass && length.reason == "finish reason is 'length', not 'stop'")
        #expect(!(await check(.finishReason, .string("stop"), on: EvalOutput(text: "")).pass))
        #expect(await check(.finishReason, .string("length"), on: EvalOutput(text: "", finishReason: "stop"), negated: true).pass)
    }
}

@Suite struct ToolAssertionTests {
    let tools: JSONValue = .array([
        .object([
            "type": .string("function"),
            "function": .object([
                "name": .string("get_weather"),
                "parameters": .object([
                    "type": .string("object"), "required": strings("city"),
                    "properties": .object(["city": .object(["type": .string("string")]), "days": .object(["type": .string("integer")])]),
                ]),
            ]),
        ]),
        .object(["type": .string("function"), "function": .object(["name": .string("now")])]),
        .object([
            "type": .string("function"),
            "function": .object([
                "name": .string("search"),
                // anyOf is beyond Loupe's validator: only `required` is checked.
                "parameters": .object(["type": .string("object"), "required": strings("query"), "anyOf": .array([])]),
            ]),
        ]),
    ])

    func calls(_ calls: (String, String)...) -> EvalOutput {
        EvalOutput(text: "", toolCalls: calls.map { EvalToolCall(name: $0.0, arguments: $0.1) }, finishReason: "tool_calls")
    }

    @Test func validCallsPass() async {
        let context = AssertionContext(tools: tools)
        let outcome = await check(.isValidOpenAIToolsCall, on: calls(("get_weather", #"{"city": "Paris", "days": 2}"#), ("now", "")), context: context)
        #expect(outcome.pass && outcome.reason == "all 2 tool calls are valid: get_weather, now")
    }

    @Test func invalidCallsFailWithEachProblem() async {
        let context = AssertionContext(tools: tools)
        let unknown = await check(.isValidOpenAIToolsCall, on: calls(("get_time", "{}")), context: context)
        #expect(!unknown.pass && unknown.reason == "tool call 1 'get_time' is not an offered function (get_weather, now, search)")
        let notObject = await check(.isValidOpenAIToolsCall, on: calls(("get_weather", "[1]")), context: context)
        #expect(!notObject.pass && notObject.reason.contains("its arguments are not a JSON object"))
        let schema = await check(.isValidOpenAIToolsCall, on: calls(("now", "{}"), ("get_weather", #"{"days": "two"}"#)), context: context)
        #expect(!schema.pass && schema.reason.hasPrefix("tool call 2 'get_weather': its arguments do not match the parameters: "), "\(schema.reason)")
        #expect(schema.reason.contains("city") && schema.reason.contains("/days"))
        let none = await check(.isValidOpenAIToolsCall, on: EvalOutput(text: "It is sunny."), context: context)
        #expect(!none.pass && none.reason == "the answer made no tool calls")
    }

    @Test func unsupportedSchemasFallBackToRequiredKeys() async {
        let context = AssertionContext(tools: tools)
        let pass = await check(.isValidOpenAIToolsCall, on: calls(("search", #"{"query": "x"}"#)), context: context)
        #expect(pass.pass && pass.reason.contains("only the required keys of 'search' were checked"), "\(pass.reason)")
        let fail = await check(.isValidOpenAIToolsCall, on: calls(("search", #"{"q": "x"}"#)), context: context)
        #expect(!fail.pass && fail.reason.hasPrefix("tool call 1 'search': its arguments lack query"), "\(fail.reason)")
    }

    @Test func withoutOfferedToolsTheCheckCannotRun() async {
        let outcome = await check(.isValidOpenAIToolsCall, on: calls(("now", "{}")), negated: true)
        #expect(!outcome.pass && outcome.reason == "not-is-valid-openai-tools-call: the case offers no tools to check the calls against")
    }

    @Test func toolCallMatchesNameAndArgumentSubset() async {
        let output = calls(("now", ""), ("get_weather", #"{"city": "Paris", "days": 2, "opts": {"unit": "c"}}"#))
        #expect(await check(.toolCall, .object(["name": .string("get_weather")]), on: output).pass)
        let subset = await check(.toolCall, .object(["name": .string("get_weather"), "arguments": .object(["days": .number(2.0), "opts": .object(["unit": .string("c")])])]), on: output)
        #expect(subset.pass && subset.reason.hasPrefix("tool call 2 'get_weather' has arguments matching"))
        // Deep equality per key: a nested object must match whole.
        let nested = await check(.toolCall, .object(["name": .string("get_weather"), "arguments": .object(["opts": .object([:])])]), on: output)
        #expect(!nested.pass && nested.reason.hasPrefix("no 'get_weather' call has arguments matching"))
        #expect(await check(.toolCall, .object(["name": .string("get_weather"), "arguments": .string(#"{"city": "Paris"}"#)]), on: output).pass)
        let otherName = await check(.toolCall, .object(["name": .string("search")]), on: output)
        #expect(!otherName.pass && otherName.reason == "the answer made no 'search' call (it called now, get_weather)")
        #expect(await check(.toolCall, .object(["name": .string("search")]), on: output, negated: true).pass)
    }

    @Test func toolCallRefusesBadValues() async {
        let output = calls(("now", ""))
        #expect(await check(.toolCall, .string("now"), on: output).reason == "tool-call expects an object with name and optional arguments, got a string")
        #expect(await check(.toolCall, .object(["name": .string("now"), "args": .object([:])]), on: output).reason.contains("got also args"))
        #expect(await check(.toolCall, .object(["name": .string("now"), "arguments": .number(1)]), on: output).reason == "tool-call: arguments must be an object, got a number")
    }
}

@Suite struct GuardrailAssertionTests {
    func policies() throws -> GuardrailPolicySet {
        let words = GuardrailOptions(["values": strings("password")])
        return try GuardrailPolicySet(GuardrailsSpec(policies: [
            "default": .init(output: [.init(check: "not_contains", action: .block, options: words)]),
            "lenient": .init(output: [.init(check: "not_contains", action: .flag, options: words)]),
        ]))
    }

    @Test func passesUnlessARuleBlocks() async throws {
        let context = AssertionContext(guardrails: try policies())
        let clean = await check(.guardrail, on: "Your order shipped.", context: context)
        #expect(clean.pass && clean.reason == "policy 'default' lets the output through")
        let blocked = await check(.guardrail, on: "The password is hunter2", context: context)
        #expect(!blocked.pass && blocked.reason == "policy 'default' blocks the output: not_contains found forbidden_content")
        #expect(await check(.guardrail, on: "The password is hunter2", negated: true, context: context).pass)
    }

    @Test func flagsPassButAreReported() async throws {
        let outcome = await check(.guardrail, .string("lenient"), on: "password, password", context: AssertionContext(guardrails: try policies()))
        #expect(outcome.pass && outcome.reason == "policy 'lenient' lets the output through (flagged not_contains/forbidden_content ×2)")
    }

    @Test func anUnknownPolicyListsTheKnownOnes() async throws {
        let unknown = await check(.guardrail, .string("strict"), on: "x", context: AssertionContext(guardrails: try policies()))
        #expect(!unknown.pass && unknown.reason == "guardrail: no guardrail policy named 'strict' (known policies: default, lenient)")
        let none = await check(.guardrail, on: "x", negated: true)
        #expect(!none.pass && none.reason == "not-guardrail: no guardrail policy named 'default' (the config has no guardrail policies)")
        #expect(await check(.guardrail, .number(1), on: "x").reason == "guardrail expects a string (the guardrail policy's name), got a number")
    }
}

@Suite struct ModelGradedAssertionTests {
    @Test func llmRubricAsksTheJudgeAndReadsAFencedVerdict() async {
        let grader = FakeGrader(answer: "Looking at it…\n```json\n{\"pass\": true, \"score\": 0.8, \"reason\": \"Polite and correct.\"}\n```")
        let context = AssertionContext(vars: ["tone": .string("polite")], input: "user: where is my order?", grader: grader)
        let outcome = await check(.llmRubric, .string("Is {{tone}} and doesn't apologise"), on: "It ships today.", provider: "judge-mini", context: context)
        #expect(outcome == AssertionOutcome(pass: true, score: 0.8, reason: "judge: Polite and correct. (score 0.8)"))
        let calls = await grader.log.judgeCalls
        #expect(calls == [GraderCall(
            prompt: "evals/llm-rubric",
            variables: ["rubric": .string("Is polite and doesn't apologise"), "output": .string("It ships today."), "input": .string("user: where is my order?")],
            model: "judge-mini"
        )])
    }

    @Test func llmRubricScoreDefaultsFromPassAndThresholdMustBeMet() async {
        let failing = FakeGrader(answer: #"{"pass": false, "reason": "rude"}"#)
        let fail = await check(.llmRubric, .string("polite"), on: "x", context: AssertionContext(grader: failing))
        #expect(fail == AssertionOutcome(pass: false, score: 0, reason: "judge: rude (score 0)"))
        let negated = await check(.llmRubric, .string("polite"), on: "x", negated: true, context: AssertionContext(grader: failing))
        #expect(negated.pass && negated.score == 1)
        let low = FakeGrader(answer: #"{"pass": true, "score": 0.6, "reason": "meh"}"#)
        let belowThreshold = await check(.llmRubric, .string("polite"), on: "x", threshold: 0.7, context: AssertionContext(grader: low))
        #expect(belowThreshold == AssertionOutcome(pass: false, score: 0.6, reason: "judge: meh (score 0.6 < threshold 0.7)"))
        #expect(await check(.llmRubric, .string("polite"), on: "x", threshold: 0.5, context: AssertionContext(grader: low)).pass)
        let onlyScore = FakeGrader(answer: #"{"score": 0.3}"#)
        #expect(!(await check(.llmRubric, .string("polite"), on: "x", context: AssertionContext(grader: onlyScore)).pass))
    }

    @Test func anUnreadableVerdictFailsWithTheAnswer() async {
        let answer = "I think it is fine. " + String(repeating: "x", count: 300)
        let outcome = await check(.llmRubric, .string("polite"), on: "x", negated: true, context: AssertionContext(grader: FakeGrader(answer: answer)))
        #expect(!outcome.pass && outcome.reason == "not-llm-rubric: cannot read a JSON verdict with pass or score in the judge's answer: '\(answer.prefix(200))'")
    }

    @Test func withoutAGraderOrWithAFailingOneModelGradedTypesFail() async {
        for kind in [AssertionKind.llmRubric, .factuality, .similar] {
            let missing = await check(kind, .string("ref"), on: "x", negated: true)
            #expect(!missing.pass && missing.reason == "not-\(kind.rawValue) needs a grader model, and this run has none")
            let broken = await check(kind, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(failure: "judge model timed out")))
            #expect(!broken.pass && broken.reason == "\(kind.rawValue): the grader failed: judge model timed out")
        }
    }

    @Test func factualityPassesEveryChoiceButDisagreement() async {
        let expectations: [(String, Bool)] = [("A", true), ("B", true), ("C", true), ("D", false), ("E", true)]
        for (choice, pass) in expectations {
            let grader = FakeGrader(answer: #"{"choice": "\#(choice)", "reason": "compared"}"#)
            let context = AssertionContext(expected: .string("Paris is the capital"), input: "capital of France?", grader: grader)
            let outcome = await check(.factuality, .string("{{expected}}"), on: "It's Paris.", context: context)
            #expect(outcome.pass == pass && outcome.score == (pass ? 1 : 0), "\(choice)")
            #expect(outcome.reason.hasPrefix("judge chose \(choice), ") && outcome.reason.hasSuffix(": compared"))
            #expect(await grader.log.judgeCalls == [GraderCall(
                prompt: "evals/factuality",
                variables: ["input": .string("capital of France?"), "expected": .string("Paris is the capital"), "output": .string("It's Paris.")],
                model: nil
            )])
        }
    }

    @Test func factualityReadsABareLetterAndRefusesNonsense() async {
        #expect(await check(.factuality, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(answer: "(B) it adds detail"))).pass)
        #expect(!(await check(.factuality, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(answer: "D"))).pass))
        let nonsense = await check(.factuality, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(answer: #"{"choice": "F"}"#)))
        #expect(!nonsense.pass && nonsense.reason.hasPrefix("factuality: cannot read a choice from A to E in the judge's answer: '{"))
        let word = await check(.factuality, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(answer: "Definitely")))
        #expect(!word.pass && word.reason.contains("cannot read a choice"))
    }

    @Test func similarComparesEmbeddings() async {
        // Output [1, 0]; reference [0.6, 0.8]: cosine 0.6. A second reference [1, 1]: cosine 1/√2 ≈ 0.707.
        let grader = FakeGrader(vectors: ["answer": [1, 0], "far": [0.6, 0.8], "near": [1, 1]])
        let context = AssertionContext(vars: ["ref": .string("far")], grader: grader)
        let one = await check(.similar, .string("{{ref}}"), on: "answer", threshold: 0.5, provider: "embed-small", context: context)
        #expect(one.pass && abs(one.score - 0.6) < 1e-12 && one.reason == "cosine similarity 0.6 ≥ 0.5")
        #expect(await grader.log.embedCalls == [["answer", "far"]])
        #expect(await grader.log.embedModels == ["embed-small"])
        let fail = await check(.similar, .string("far"), on: "answer", context: context)
        #expect(!fail.pass && fail.reason == "cosine similarity 0.6 < 0.75")
        let best = await check(.similar, strings("far", "near"), on: "answer", threshold: 0.7, context: context)
        #expect(best.pass && abs(best.score - 0.5.squareRoot()) < 1e-12 && best.reason == "cosine similarity 0.707 ≥ 0.7 (best of 2, to 'near')")
        // Opposite vectors: similarity −1, score clamped to 0.
        let opposite = await check(.similar, .string("far"), on: "answer", context: AssertionContext(grader: FakeGrader(vectors: ["answer": [1, 0], "far": [-1, 0]])))
        #expect(!opposite.pass && opposite.score == 0)
    }

    @Test func similarRefusesAMismatchedEmbeddingAnswer() async {
        let short = await check(.similar, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(embeddingsOverride: [[1, 0]])))
        #expect(!short.pass && short.reason == "similar: the grader returned 1 embeddings for 2 texts")
        let ragged = await check(.similar, .string("ref"), on: "x", context: AssertionContext(grader: FakeGrader(embeddingsOverride: [[1, 0], [1, 0, 0]])))
        #expect(!ragged.pass && ragged.reason == "similar: the embeddings differ in length (2 and 3)")
    }
}
