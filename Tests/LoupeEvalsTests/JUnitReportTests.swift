import Foundation
import LoupeCore
import Testing

@testable import LoupeEvals

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A case result for the report: a pass, a failed check with `reason`, or an error with `error`.
private func junitCase(
    prompt: String = "support/reply@3", model: String = "gpt-test", caseIndex: Int, repetition: Int = 0, _ status: EvalCaseResult.Status,
    description: String? = nil, reason: String = "did not contain 'refund'", error: String = "HTTP 503: upstream unavailable",
    output: String = "Sorry, I cannot help", latency: Double = 250
) -> EvalCaseResult {
    let checks = [
        EvalCaseResult.Check(type: "icontains", pass: true, score: 1, reason: "contains 'order'", weight: 1, metric: nil),
        EvalCaseResult.Check(type: "not-contains", pass: status != .fail, score: status == .fail ? 0 : 1, reason: reason, weight: 1, metric: nil),
    ]
    return EvalCaseResult(
        prompt: prompt, model: model, caseIndex: caseIndex, repetition: repetition, source: "support.jsonl:\(caseIndex + 1)",
        description: description, vars: [:], expected: nil, status: status, score: status == .pass ? 1 : 0.5,
        checks: status == .error ? [] : checks, output: status == .error ? nil : EvalOutput(text: output, latencyMs: latency),
        error: status == .error ? error : nil, attempts: 1, cached: false
    )
}

/// A run of `cases`, with a cell per prompt × model in order of appearance.
private func junitRun(_ cases: [EvalCaseResult], suite: String = "support") -> EvalRunResult {
    var cells: [EvalCellSummary] = []
    for item in cases where !cells.contains(where: { $0.prompt == item.prompt && $0.model == item.model }) {
        let mine = cases.filter { $0.prompt == item.prompt && $0.model == item.model }
        cells.append(EvalCellSummary(prompt: item.prompt, promptVersion: 3, model: item.model, summary: EvalSummary(mine)))
    }
    return EvalRunResult(suite: suite, description: "", dataset: nil, threshold: 1, startedAt: 0, durationMs: 2500, cells: cells, cases: cases)
}

#if canImport(FoundationXML) || os(macOS)
/// The report parsed as XML; parsing fails on anything that is not well-formed.
private func parse(_ xml: String) throws -> XMLElement {
    let document = try XMLDocument(xmlString: xml, options: [])
    return try #require(document.rootElement())
}

private func attribute(_ element: XMLElement, _ name: String) -> String? {
    element.attribute(forName: name)?.stringValue
}

private func children(_ element: XMLElement, _ name: String) -> [XMLElement] {
    element.elements(forName: name)
}
#endif

@Suite struct JUnitReportTests {
    private var mixedRun: EvalRunResult {
        junitRun([
            junitCase(caseIndex: 0, .pass, latency: 1500),
            junitCase(caseIndex: 1, .fail, description: "refund request"),
            junitCase(caseIndex: 2, .error),
            junitCase(caseIndex: 2, repetition: 1, .pass),
            junitCase(model: "other-model", caseIndex: 0, .fail),
            junitCase(model: "other-model", caseIndex: 1, .fail),
        ])
    }

    @Test func theReportStartsWithAnXMLDeclarationAndEndsWithTheRoot() {
        let xml = JUnitReport.xml(mixedRun)
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<testsuites "))
        #expect(xml.hasSuffix("</testsuites>\n"))
    }

    #if canImport(FoundationXML) || os(macOS)
    @Test func countsPerSuiteAndInTotal() throws {
        let root = try parse(JUnitReport.xml(mixedRun))
        #expect(root.name == "testsuites")
        #expect(attribute(root, "name") == "loupe eval support")
        #expect(attribute(root, "tests") == "6")
        #expect(attribute(root, "failures") == "3")
        #expect(attribute(root, "errors") == "1")
        #expect(attribute(root, "time") == "2.5")

        let suites = children(root, "testsuite")
        #expect(suites.map { attribute($0, "name") } == ["support/reply@3 × gpt-test", "support/reply@3 × other-model"])
        #expect(suites.map { attribute($0, "tests") } == ["4", "2"])
        #expect(suites.map { attribute($0, "failures") } == ["1", "2"])
        #expect(suites.map { attribute($0, "errors") } == ["1", "0"])
        // A suite's time is its calls' latency, in seconds.
        #expect(attribute(suites[0], "time") == "2.0")
        // Every test case element is counted, and the counts match the elements.
        for suite in suites {
            let cases = children(suite, "testcase")
            #expect(String(cases.count) == attribute(suite, "tests"))
            #expect(String(cases.filter { !children($0, "failure").isEmpty }.count) == attribute(suite, "failures"))
            #expect(String(cases.filter { !children($0, "error").isEmpty }.count) == attribute(suite, "errors"))
        }
    }

    @Test func eachCaseIsATestCaseWithItsOutcome() throws {
        let root = try parse(JUnitReport.xml(mixedRun))
        let cases = children(children(root, "testsuite")[0], "testcase")
        #expect(cases.map { attribute($0, "name") } == [
            "support.jsonl:1", "support.jsonl:2 refund request", "support.jsonl:3", "support.jsonl:3 #2",
        ])
        #expect(cases.allSatisfy { attribute($0, "classname") == "support.support/reply@3.gpt-test" })
        #expect(attribute(cases[0], "time") == "1.5")
        #expect(cases[0].childCount == 0)

        let failure = try #require(children(cases[1], "failure").first)
        #expect(attribute(failure, "type") == "assertion")
        // The message is the first failing check; the body lists every failing check and the output.
        #expect(attribute(failure, "message") == "not-contains: did not contain 'refund'")
        #expect(failure.stringValue == "not-contains: did not contain 'refund'\n\noutput: Sorry, I cannot help")

        let error = try #require(children(cases[2], "error").first)
        #expect(attribute(error, "type") == "provider")
        #expect(attribute(error, "message") == "HTTP 503: upstream unavailable")
        #expect(children(cases[2], "failure").isEmpty)
        #expect(attribute(cases[2], "time") == "0.0")
    }

    @Test func specialCharactersAreEscapedAndControlCharactersDropped() throws {
        let awkward = #"<b>"Tom" & 'Jerry'</b>"#
        let result = junitRun(
            [
                junitCase(
                    prompt: "p<&>@1", model: "m\"'", caseIndex: 0, .fail, description: awkward + "\u{1}\u{1B}[31m",
                    reason: "wanted </failure> & \u{7}bell", output: "<script>alert('x')</script>\u{0}\u{8}\tend"
                ),
                junitCase(prompt: "p<&>@1", model: "m\"'", caseIndex: 1, .error, error: "bad \"gateway\" <html>\u{1F}"),
            ],
            suite: "s&s"
        )
        let xml = JUnitReport.xml(result)
        for raw in ["\u{0}", "\u{1}", "\u{7}", "\u{8}", "\u{1B}", "\u{1F}"] {
            #expect(!xml.contains(raw), "control character U+\(String(raw.unicodeScalars.first!.value, radix: 16)) should be dropped")
        }
        #expect(!xml.contains("<script>"))
        #expect(xml.contains("&lt;script&gt;"))
        #expect(xml.contains("&amp;"))
        #expect(xml.contains("&quot;"))
        #expect(xml.contains("&apos;"))

        // A parser reads back the text as written, less the control characters.
        let root = try parse(xml)
        #expect(attribute(root, "name") == "loupe eval s&s")
        let suite = try #require(children(root, "testsuite").first)
        #expect(attribute(suite, "name") == "p<&>@1 × m\"'")
        let cases = children(suite, "testcase")
        #expect(attribute(cases[0], "name") == "support.jsonl:1 " + awkward + "[31m")
        #expect(attribute(cases[0], "classname") == "s&s.p<&>@1.m\"'")
        let failure = try #require(children(cases[0], "failure").first)
        #expect(attribute(failure, "message") == "not-contains: wanted </failure> & bell")
        #expect(failure.stringValue == "not-contains: wanted </failure> & bell\n\noutput: <script>alert('x')</script>\tend")
        let error = try #require(children(cases[1], "error").first)
        #expect(attribute(error, "message") == "bad \"gateway\" <html>")
    }
    #endif

    @Test func escapingKeepsTabsLineBreaksAndOtherText() {
        #expect(JUnitReport.escape("a\tb\nc\rd") == "a\tb\nc\rd")
        #expect(JUnitReport.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;")
        #expect(JUnitReport.escape("naïve × 日本 🙂") == "naïve × 日本 🙂")
        #expect(JUnitReport.escape("x\u{FFFE}y\u{FFFF}z\u{0}") == "xyz")
    }

    @Test func secondsKeepMillisecondPrecision() {
        #expect(JUnitReport.seconds(0) == "0.0")
        #expect(JUnitReport.seconds(1234.4) == "1.234")
        #expect(JUnitReport.seconds(1234.6) == "1.235")
        #expect(JUnitReport.seconds(60000) == "60.0")
    }

    @Test func aRunWithoutFailuresHasZeroCounts() {
        let xml = JUnitReport.xml(junitRun([junitCase(caseIndex: 0, .pass)]))
        #expect(xml.contains(#"<testsuites name="loupe eval support" tests="1" failures="0" errors="0""#))
        #expect(xml.contains(#"<testcase classname="support.support/reply@3.gpt-test" name="support.jsonl:1" time="0.25"/>"#))
        #expect(!xml.contains("<failure"))
        #expect(!xml.contains("<error"))
    }
}
