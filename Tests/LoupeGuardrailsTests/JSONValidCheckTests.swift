import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct JSONValidCheckTests {
    static func isInvalid(_ text: String, options: GuardrailOptions = GuardrailOptions()) throws -> Bool {
        let findings = try JSONValidCheck(options: options).findings(in: text)
        #expect(findings.allSatisfy { $0.category == "invalid_json" && $0.range == nil })
        #expect(findings.count <= 1)
        return !findings.isEmpty
    }

    @Test func describesItself() throws {
        let check = try JSONValidCheck()
        #expect(check.name == "json_valid")
        #expect(check.needsCompleteText)
        #expect(!check.canRedact)
        #expect(check.extractFromMarkdown)
    }

    /// Texts a model might answer with, and whether a client expecting JSON could parse them.
    static let answers: [(text: String, invalid: Bool)] = [
        (#"{"answer": "Paris", "confidence": 0.9}"#, false),
        ("  \n{\"a\": [1, 2, {\"b\": null}]}\n\n", false),
        ("[]", false),
        ("42", false),
        (#""just a string""#, false),
        ("null", false),
        ("-0.5e10", false),
        (#"{"emoji": "😀", "escaped": "\ud83d\ude00\n"}"#, false),
        ("```json\n{\"answer\": \"Paris\"}\n```", false),
        ("\n\n```json\n{\"answer\": \"Paris\"}\n```\n", false),
        ("```JSON\n[1, 2]\n```", false),
        ("```\n{\"a\": 1}\n```", false),
        ("~~~json\n{\"a\": 1}\n~~~", false),
        ("```json\n{\"a\": 1}```", false),
        ("````json\n{\"code\": \"```\"}\n````", false),
        ("```json\n{\"code\": \"x\"}\n`````", false),
        ("", true),
        ("   \n ", true),
        ("Paris", true),
        ("Sure! Here is the JSON:\n```json\n{\"a\": 1}\n```", true),
        ("```json\n{\"a\": 1}\n```\nLet me know if you need anything else.", true),
        ("{\"a\": 1}\nHope this helps!", true),
        ("Here you go: {\"a\": 1}", true),
        (#"{"a": 1,}"#, true),
        ("{'a': 1}", true),
        (#"{"a": True, "b": None}"#, true),
        (#"{"a": NaN}"#, true),
        (#"{"a": 01}"#, true),
        (#"{"a": "unterminated}"#, true),
        (#"{"answer": "Par"#, true),
        (#"{"a": 1}{"b": 2}"#, true),
        ("{\"a\": \"line\nbreak\"}", true),
        ("// comment\n{\"a\": 1}", true),
        ("```json\n{\"a\": 1}", true),
        ("```json\n{\"a\": 1,}\n```", true),
        ("```json\n```", true),
        ("``json\n{\"a\": 1}\n``", true),
        ("```json\n{\"a\": 1}\n``", true),
        ("```json {\"a\": 1}```", true),
        ("```json\n{\"a\": 1}\n```\n```json\n{\"b\": 2}\n```", true),
        ("\u{FEFF}{\"a\": 1}", true),
    ]

    @Test func judgesModelAnswers() throws {
        var mistakes: [String] = []
        for (text, invalid) in Self.answers where try Self.isInvalid(text) != invalid {
            mistakes.append("\(invalid ? "missed" : "unexpected") invalid_json in \(text.debugDescription)")
        }
        #expect(mistakes.isEmpty, "\(mistakes.joined(separator: "\n"))")
    }

    @Test func fencesAreTakenLiterallyWhenExtractionIsOff() throws {
        let options = GuardrailOptions(["extract_from_markdown": .bool(false)])
        #expect(try Self.isInvalid("```json\n{\"a\": 1}\n```", options: options))
        #expect(try !Self.isInvalid(#"{"a": 1}"#, options: options))
        #expect(try JSONValidCheck(options: options).extractFromMarkdown == false)
    }

    @Test func syntaxErrorPointsIntoTheWholeText() throws {
        let check = try JSONValidCheck()
        var text = "```json\n{\"a\": x}\n```"
        let error = text.withUTF8 { check.syntaxError(in: $0) }
        #expect(error?.offset == 14, "offset counts the fence line too")
        #expect(error?.reason.contains("unexpected character") == true)
        let finding = try check.findings(in: text).first
        #expect(finding?.detail == "not valid JSON: unexpected character 'x' at byte 14")
        text = #"{"a": 1}"#
        #expect(text.withUTF8 { check.syntaxError(in: $0) } == nil)
    }

    @Test func refusesUnknownAndMistypedOptions() {
        let unknown = #expect(throws: GuardrailOptionError.self) {
            try JSONValidCheck(options: GuardrailOptions(["extract_markdown": .bool(true)]))
        }
        #expect(unknown?.key == "extract_markdown")
        let mistyped = #expect(throws: GuardrailOptionError.self) {
            try JSONValidCheck(options: GuardrailOptions(["extract_from_markdown": .string("yes")]))
        }
        #expect(mistyped?.key == "extract_from_markdown")
    }

    @Test func deepNestingIsInvalidNotACrash() throws {
        // The parser stops at 512 levels; 10,000 would overflow a recursive reader's stack.
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(try Self.isInvalid(deep))
        let detail = try JSONValidCheck().findings(in: deep).first?.detail
        #expect(detail?.contains("nesting deeper than") == true)
        let fenced = "```json\n" + deep + "\n```"
        #expect(try Self.isInvalid(fenced))
        let allowed = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try !Self.isInvalid(allowed))
    }

    @Test func longAdversarialTextsStayFast() throws {
        let check = try JSONValidCheck()
        let megabyte = 1 << 20
        let texts: [(String, Bool)] = [
            (String(repeating: "`", count: megabyte), true),
            ("```json\n" + String(repeating: "`", count: megabyte), true),
            (String(repeating: "```\n", count: megabyte / 4), true),
            (String(repeating: "[", count: megabyte), true),
            (String(repeating: #"{"a":"#, count: megabyte / 5), true),
            ("\"" + String(repeating: "\\\"", count: megabyte / 2), true),
            ("[" + String(repeating: "1,", count: megabyte / 2) + "1]", false),
            ("\"" + String(repeating: "a", count: megabyte) + "\"", false),
            ("```json\n[" + String(repeating: "1,", count: megabyte / 2) + "1]\n```", false),
            (String(repeating: " ", count: megabyte) + "{}" + String(repeating: " ", count: megabyte), false),
        ]
        let start = ContinuousClock.now
        for (text, invalid) in texts {
            #expect(try !check.findings(in: text).isEmpty == invalid, "\(text.prefix(20).debugDescription)…")
        }
        #expect(ContinuousClock.now - start < .seconds(3), "ten 1 MB texts in a debug build")
    }
}
