import Foundation
import Hummingbird
import LoupeCore
import LoupeEvals

extension DashboardController {
    /// `/evals`: eval runs, newest first, 50 a page by the store's page token, with a form to compare two of them.
    func evals(_ request: Request) async throws -> Response {
        let suite = request.uri.queryParameters["suite"].map(String.init)
        let token = request.uri.queryParameters["page_token"].map(String.init)
        let page = try await EvalRunReader(store: store).page(suite: suite, limit: Self.pageSize, pageToken: token)
        let runs = page.items
        let suiteQuery = suite.map { [("suite", $0)] } ?? []
        let rows = runs.map { run -> [HTML] in
            [.element("a", ["href": "/evals/" + DashboardPage.encode(run.runID)], .element("code", text: String(run.runID.prefix(12)))),
             HTML(run.suite), HTML(DashboardFormat.time(millis: run.startedAt)),
             HTML(run.metrics["pass_rate"].map(DashboardFormat.percent) ?? "—"),
             .element("span", ["class": run.passed == false ? "bad" : "ok"], text: run.passed.map { $0 ? "passed" : "failed" } ?? "—")]
        }
        let compare = HTML.element(
            "form", ["method": "get", "action": "/evals/compare", "class": "filters"],
            .element("label", HTML("Before (run id)"), .element("input", ["name": "a", "value": runs.dropFirst().first?.runID ?? ""])),
            .element("label", HTML("After (run id)"), .element("input", ["name": "b", "value": runs.first?.runID ?? ""])),
            .element("button", ["type": "submit"], text: "Compare")
        )
        let body: [HTML] = [
            runs.isEmpty ? DashboardPage.empty("No eval runs yet: run a suite with `loupe eval run`.")
                : DashboardPage.table(["Run", "Suite", "Started (UTC)", "Pass rate", "Result"], rows),
            Self.pager(
                previous: token == nil ? nil : DashboardPage.link("/evals", suiteQuery),
                next: page.nextPageToken.map { DashboardPage.link("/evals", suiteQuery + [("page_token", $0)]) }, labels: ("⇤ Newest", "Older →")
            ),
            Self.card("Compare two runs", compare),
        ]
        return DashboardPage.response(title: "Evals", section: "/evals", body)
    }

    /// `/evals/{id}`: the run matrix, one row per prompt × model, and its failing cases.
    func evalRun(_ id: String) async throws -> Response {
        guard let stored = try await EvalRunReader(store: store).run(id: id) else { return Self.notFound("No eval run has the id '\(id)'.", section: "/evals") }
        let metricNames = ["pass_rate", "mean_score", "cost_usd", "latency_p50_ms", "latency_p95_ms"]
        let matrix = DashboardPage.table(
            ["Prompt", "Model"] + metricNames,
            stored.cells.map { cell in
                [HTML(cell.params["prompt"] ?? cell.name), HTML(cell.params["model"] ?? "")] + metricNames.map { name in
                    HTML(cell.metrics[name].map { name == "pass_rate" ? DashboardFormat.percent($0) : Self.number($0) } ?? "—")
                }
            }, numericFrom: 2
        )
        let failures = stored.cases.filter { $0.status != .pass }.prefix(Self.pageSize)
        let failing = failures.isEmpty ? DashboardPage.empty("Every case passed.") : DashboardPage.table(
            ["Prompt", "Model", "Case", "Status", "Score", "Reason"],
            failures.map { [HTML($0.prompt), HTML($0.model), HTML(String($0.caseIndex)), HTML($0.status.rawValue), HTML(Self.number($0.score)), HTML($0.failureReason ?? "")] }
        )
        let body: [HTML] = [
            .element("div", ["class": "stats"],
                     DashboardPage.stat("Suite", stored.run.suite),
                     DashboardPage.stat("Pass rate", stored.run.metrics["pass_rate"].map(DashboardFormat.percent) ?? "—"),
                     DashboardPage.stat("Cases", DashboardFormat.count(stored.cases.count)),
                     DashboardPage.stat("Started (UTC)", DashboardFormat.time(millis: stored.run.startedAt))),
            Self.card("Run matrix", matrix),
            Self.card("Cases that did not pass" + (failures.count == Self.pageSize ? " (first \(Self.pageSize))" : ""), failing),
        ]
        return DashboardPage.response(title: "Eval run \(stored.run.name)", section: "/evals", body)
    }

    /// `/evals/compare?a=&b=`: the cases that regressed, improved or changed score from run a to run b.
    func compareEvals(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard let a = parameters["a"].map(String.init), let b = parameters["b"].map(String.init), !a.isEmpty, !b.isEmpty else {
            return Self.badRequest("Give two eval run ids: /evals/compare?a=BEFORE&b=AFTER.", section: "/evals")
        }
        let reader = EvalRunReader(store: store)
        guard let before = try await reader.run(id: a) else { return Self.notFound("No eval run has the id '\(a)'.", section: "/evals") }
        guard let after = try await reader.run(id: b) else { return Self.notFound("No eval run has the id '\(b)'.", section: "/evals") }
        let comparison = EvalComparison(before: before.cases, after: after.cases)
        func table(_ changes: [EvalComparison.Change]) -> HTML {
            changes.isEmpty ? DashboardPage.empty("None.") : DashboardPage.table(
                ["Prompt", "Model", "Case", "Before", "After"],
                changes.prefix(Self.pageSize).map { change in
                    [HTML(change.after.prompt), HTML(change.after.model), HTML(String(change.after.caseIndex)),
                     HTML("\(change.before.status.rawValue) \(Self.number(change.before.score))"), HTML("\(change.after.status.rawValue) \(Self.number(change.after.score))")]
                }
            )
        }
        let body: [HTML] = [
            .element("div", ["class": "stats"],
                     DashboardPage.stat("Before", before.run.metrics["pass_rate"].map(DashboardFormat.percent) ?? "—", note: before.run.name),
                     DashboardPage.stat("After", after.run.metrics["pass_rate"].map(DashboardFormat.percent) ?? "—", note: after.run.name),
                     DashboardPage.stat("Regressions", String(comparison.regressions.count)),
                     DashboardPage.stat("Improvements", String(comparison.improvements.count)),
                     DashboardPage.stat("Only in one run", "\(comparison.onlyBefore) / \(comparison.onlyAfter)")),
            Self.card("Regressions", table(comparison.regressions)),
            Self.card("Improvements", table(comparison.improvements)),
            Self.card("Score changes", table(comparison.scoreChanges)),
        ]
        return DashboardPage.response(title: "Compare eval runs", section: "/evals", body)
    }

    /// A metric with up to four decimals and no trailing zeros.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
