import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct JSONSchemaCheckTests {
    static let answerSchema: JSONValue = .object([
        "type": .string("object"),
        "required": .array([.string("answer"), .string("confidence")]),
        "additionalProperties": .bool(false),
        "properties": .object([
            "answer": .object(["type": .string("string"), "minLength": .number(1)]),
            "confidence": .object(["type": .string("number"), "minimum": .number(0), "maximum": .number(1)]),
            "sources": .object(["type": .string("array"), "items": .object(["type": .string("string")]), "maxItems": .number(3)]),
        ]),
    ])

    static func check(_ schema: JSONValue = answerSchema, _ extra: [String: JSONValue] = [:]) throws -> JSONSchemaCheck {
        try JSONSchemaCheck(options: GuardrailOptions(extra.merging(["schema": schema]) { first, _ in first }))
    }

    @Test func describesItself() throws {
        let check = try Self.check()
        #expect(check.name == "json_schema")
        #expect(check.needsCompleteText)
        #expect(!check.canRedact)
        #expect(check.extractFromMarkdown)
    }

    @Test func passingAnswerHasNoFindings() throws {
        let check = try Self.check()
        #expect(try check.findings(in: #"{"answer": "Paris", "confidence": 0.9, "sources": ["wiki"]}"#).isEmpty)
        #expect(try check.findings(in: "```json\n{\"answer\": \"Paris\", \"confidence\": 1}\n```").isEmpty)
        #expect(check.violations(in: #"{"answer": "Paris", "confidence": 0}"#).isEmpty)
    }

    @Test func eachViolationIsAFinding() throws {
        let check = try Self.check()
        let text = #"{"answer": 42, "confidence": 1.5, "sources": ["a", 2, "c", "d"], "extra": true}"#
        let findings = try check.findings(in: text)
        #expect(findings.map(\.category) == Array(repeating: "schema_mismatch", count: 5))
        #expect(findings.allSatisfy { $0.range == nil })
        #expect(findings.map(\.detail) == [
            "/answer: expected string, found number",
            "/confidence: must be ≤ 1",
            "/sources: must have at most 3 items, found 4",
            "/sources/1: expected string, found number",
            "property 'extra' is not allowed",
        ])
        #expect(check.violations(in: text).first?.description == "/answer: expected string, found number")
        #expect(check.violations(in: text, limit: 2).count == 2)
        #expect(check.violations(in: "{}").map(\.message) == ["missing required property 'answer'", "missing required property 'confidence'"])
    }

    @Test func textThatIsNotJSONIsOneInvalidJSONFinding() throws {
        let check = try Self.check()
        for text in ["The answer is Paris.", "", #"{"answer": "Paris""#, "Here:\n```json\n{\"answer\": \"Paris\", \"confidence\": 1}\n```"] {
            let findings = try check.findings(in: text)
            #expect(findings.map(\.category) == ["invalid_json"], "\(text.debugDescription)")
            #expect(findings.first?.detail?.hasPrefix("not valid JSON: ") == true)
        }
        #expect(check.violations(in: "Paris").map(\.description) == ["not valid JSON: unexpected character 'P' at byte 0"])
    }

    @Test func fenceExtractionCanBeTurnedOff() throws {
        let check = try Self.check(Self.answerSchema, ["extract_from_markdown": .bool(false)])
        #expect(try check.findings(in: "```json\n{\"answer\": \"Paris\", \"confidence\": 1}\n```").map(\.category) == ["invalid_json"])
    }

    @Test func findingsAreCappedAtTwenty() throws {
        let check = try Self.check(.object(["items": .object(["type": .string("string")])]))
        let text = "[" + Array(repeating: "1", count: 10_000).joined(separator: ",") + "]"
        let findings = try check.findings(in: text)
        #expect(findings.count == 20)
        #expect(findings.first?.detail == "/0: expected string, found number")
    }

    @Test func deepNestingIsInvalidJSONNotACrash() throws {
        let check = try Self.check(.object(["$defs": .object(["list": .object(["items": .object(["$ref": .string("#/$defs/list")])])]), "$ref": .string("#/$defs/list")]))
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(try check.findings(in: deep).map(\.category) == ["invalid_json"])
        let allowed = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try check.findings(in: allowed).isEmpty)
    }

    @Test func missingSchemaNamesTheOption() {
        let error = #expect(throws: GuardrailOptionError.self) { try JSONSchemaCheck() }
        #expect(error?.key == "schema")
        #expect(error?.message.contains("schema_file") == true)
        let null = #expect(throws: GuardrailOptionError.self) { try JSONSchemaCheck(options: GuardrailOptions(["schema": .null])) }
        #expect(null?.key == "schema")
    }

    @Test func invalidSchemaNamesTheOptionAndThePointer() {
        let bad: JSONValue = .object(["properties": .object(["age": .object(["minimum": .string("0")])])])
        let error = #expect(throws: GuardrailOptionError.self) { try Self.check(bad) }
        #expect(error?.key == "schema")
        #expect(error?.message == "/properties/age/minimum: expected a number")
        #expect(error?.description == "schema: /properties/age/minimum: expected a number")

        let unsupported = #expect(throws: GuardrailOptionError.self) { try Self.check(.object(["anyOf": .array([])])) }
        #expect(unsupported?.message.hasPrefix("/anyOf: not supported; Loupe supports type, required") == true)

        let text = #expect(throws: GuardrailOptionError.self) { try Self.check(.string(#"{"type": "object"}"#)) }
        #expect(text?.message == "expected a schema: an object, true or false")
    }

    @Test func refusesUnknownOptions() {
        let error = #expect(throws: GuardrailOptionError.self) {
            try JSONSchemaCheck(options: GuardrailOptions(["schema": .object([:]), "schema_path": .string("x.json")]))
        }
        #expect(error?.key == "schema_path")
    }

    @Test func longAdversarialTextsStayFast() throws {
        let check = try Self.check()
        let megabyte = 1 << 20
        let start = ContinuousClock.now
        // Every rule fires on every element; the cap keeps the report small and the scan stops early.
        let manyExtras = "{" + (0..<(megabyte / 16)).map { #""k\#($0)": 1"# }.joined(separator: ",") + "}"
        let extras = try check.findings(in: manyExtras)
        #expect(extras.count == 20)
        #expect(extras.first?.detail == "missing required property 'answer'")
        let longAnswer = #"{"answer": ""# + String(repeating: "é", count: megabyte / 2) + #"", "confidence": 0.5}"#
        #expect(try check.findings(in: longAnswer).isEmpty)
        let manySources = #"{"answer": "a", "confidence": 0.5, "sources": ["# + Array(repeating: #""s""#, count: megabyte / 4).joined(separator: ",") + "]}"
        #expect(try check.findings(in: manySources).map(\.detail) == ["/sources: must have at most 3 items, found 262144"])
        #expect(ContinuousClock.now - start < .seconds(3), "three 1 MB texts in a debug build")
    }
}
