/// A run as JUnit XML, which CI systems show as tests: one test suite per prompt × model, one test case per case.
public enum JUnitReport {
    public static func xml(_ result: EvalRunResult) -> String {
        let summary = result.summary
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="\#(escape("loupe eval \(result.suite)"))" tests="\#(summary.cases)" failures="\#(summary.failed)" errors="\#(summary.errors)" time="\#(seconds(result.durationMs))">"# + "\n"
        for cell in result.cells {
            let cases = result.cases.filter { $0.prompt == cell.prompt && $0.model == cell.model }
            let time = cases.compactMap { $0.output?.latencyMs }.reduce(0, +)
            xml += #"  <testsuite name="\#(escape("\(cell.prompt) × \(cell.model)"))" tests="\#(cell.summary.cases)" failures="\#(cell.summary.failed)" errors="\#(cell.summary.errors)" time="\#(seconds(time))">"# + "\n"
            for item in cases {
                var name = item.description.map { "\(item.source) \($0)" } ?? item.source
                if item.repetition > 0 { name += " #\(item.repetition + 1)" }
                let classname = "\(result.suite).\(cell.prompt).\(cell.model)"
                xml += #"    <testcase classname="\#(escape(classname))" name="\#(escape(name))" time="\#(seconds(item.output?.latencyMs ?? 0))""#
                switch item.status {
                case .pass:
                    xml += "/>\n"
                case .fail:
                    let failed = item.checks.filter { !$0.pass }
                    let details = failed.map { "\($0.type): \($0.reason)" }.joined(separator: "\n")
                    xml += ">\n      <failure message=\"\(escape(item.failureReason ?? "failed"))\" type=\"assertion\">\(escape(details + "\n\noutput: " + (item.output?.text ?? "")))</failure>\n    </testcase>\n"
                case .error:
                    xml += ">\n      <error message=\"\(escape(item.error ?? "error"))\" type=\"provider\"/>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// Text for XML: the five special characters escaped, and characters XML 1.0 cannot hold dropped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func seconds(_ milliseconds: Double) -> String {
        let value = milliseconds / 1000
        return String(Double(Int((value * 1000).rounded())) / 1000)
    }
}
