import Foundation

/// The text a person reads after a run: the matrix of prompt × model, and the worst failing cases.
public enum EvalReport {
    /// The matrix: pass rate, mean score, cost and p50 latency per prompt × model, then the verdict.
    public static func matrix(_ result: EvalRunResult) -> String {
        var rows: [[String]] = [["prompt", "model", "pass rate", "passed", "errors", "score", "cost", "p50 latency"]]
        for cell in result.cells {
            let summary = cell.summary
            rows.append([
                cell.prompt, cell.model, percent(summary.passRate), "\(summary.passed)/\(summary.cases)", "\(summary.errors)",
                String(format: "%.2f", summary.meanScore), dollars(summary.costUSD), summary.latencyP50Ms.map(milliseconds) ?? "-",
            ])
        }
        var text = table(rows)
        let summary = result.summary
        text += "\n\(result.suite): \(summary.passed) passed, \(summary.failed) failed, \(summary.errors) errors of \(summary.cases) cases; "
        text += "pass rate \(percent(summary.passRate)) against a threshold of \(percent(result.threshold)): \(result.passed ? "PASS" : "FAIL")\n"
        return text
    }

    /// Up to `limit` failing or erroring cases, lowest score first, each with its first reason.
    public static func worstFailures(_ result: EvalRunResult, limit: Int = 5) -> String {
        let failing = result.cases.filter { $0.status != .pass }.sorted { ($0.score, $0.caseIndex) < ($1.score, $1.caseIndex) }
        guard !failing.isEmpty else { return "" }
        var text = "Worst cases (\(min(limit, failing.count)) of \(failing.count) not passing):\n"
        for item in failing.prefix(limit) {
            let name = item.description.map { "\(item.source) \($0)" } ?? item.source
            text += "  \(item.status.rawValue.uppercased())  \(item.prompt) × \(item.model)  \(name)  score \(String(format: "%.2f", item.score))\n"
            text += "        \(clip(item.failureReason ?? "", 200))\n"
        }
        return text
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column < 2 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
    static func dollars(_ amount: Double) -> String { amount == 0 ? "$0" : String(format: amount < 0.01 ? "$%.6f" : "$%.4f", amount) }
    static func milliseconds(_ value: Double) -> String { String(format: "%.0f ms", value) }
    static func clip(_ text: String, _ length: Int) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return line.count > length ? String(line.prefix(length - 1)) + "…" : line
    }
}
