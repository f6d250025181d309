import Foundation
import Hummingbird
import LoupeCore

extension DashboardController {
    /// `/experiments`: active experiments, 50 a page by the store's page token.
    func experiments(_ request: Request) async throws -> Response {
        let token = request.uri.queryParameters["page_token"].map(String.init)
        let page = try await store.searchExperiments(filter: SearchFilter(clauses: []), order: [], view: .activeOnly, maxResults: Self.pageSize, pageToken: token)
        let rows = page.items.map { experiment -> [HTML] in
            [.element("a", ["href": "/experiments/" + DashboardPage.encode(experiment.id)], text: experiment.name), .element("code", text: experiment.id),
             HTML(DashboardFormat.time(millis: experiment.lastUpdateTime))]
        }
        let body: [HTML] = [
            page.items.isEmpty ? DashboardPage.empty("No experiments yet: log runs with MLflow's client.") : DashboardPage.table(["Experiment", "Id", "Updated (UTC)"], rows),
            Self.pager(previous: token == nil ? nil : "/experiments", next: page.nextPageToken.map { DashboardPage.link("/experiments", [("page_token", $0)]) }, labels: ("⇤ First", "Next →")),
        ]
        return DashboardPage.response(title: "Experiments", section: "/experiments", body)
    }

    /// `/experiments/{id}`: its runs (50 a page) with params and latest metrics, and each metric of the newest runs over steps.
    func experiment(_ id: String, _ request: Request) async throws -> Response {
        guard let experiment = try await store.experiment(id: id) else { return Self.notFound("No experiment has the id '\(id)'.", section: "/experiments") }
        let token = request.uri.queryParameters["page_token"].map(String.init)
        let page = try await store.searchRuns(experimentIDs: [id], filter: SearchFilter(clauses: []), order: [], view: .activeOnly, maxResults: Self.pageSize, pageToken: token)
        let paramKeys = Array(Set(page.items.flatMap(\.params.keys)).sorted().prefix(6))
        let metricKeys = Array(Set(page.items.flatMap(\.metrics.keys)).sorted().prefix(6))
        let rows = page.items.map { run -> [HTML] in
            [HTML(run.info.name), .element("code", text: String(run.info.id.prefix(12))), HTML(run.info.status.rawValue), HTML(DashboardFormat.time(millis: run.info.startTime))]
                + paramKeys.map { HTML(run.params[$0] ?? "") } + metricKeys.map { HTML(run.metrics[$0].map { Self.number($0.value) } ?? "") }
        }
        var body: [HTML] = [
            Self.card("Runs", page.items.isEmpty ? DashboardPage.empty("No runs yet.") : DashboardPage.table(
                ["Run", "Id", "Status", "Started (UTC)"] + paramKeys.map { "param " + $0 } + metricKeys.map { "metric " + $0 }, rows, numericFrom: 4 + paramKeys.count
            ) + Self.pager(previous: token == nil ? nil : "/experiments/" + DashboardPage.encode(id),
                           next: page.nextPageToken.map { DashboardPage.link("/experiments/" + DashboardPage.encode(id), [("page_token", $0)]) },
                           labels: ("⇤ First", "Next →"))),
        ]
        // Charts for the newest run's metrics, each history bounded to 1,000 points.
        if let run = page.items.first {
            var charts: [HTML] = []
            for key in run.metrics.keys.sorted().prefix(6) {
                let history = try await store.metricHistory(runID: run.info.id, key: key, maxResults: 1000, pageToken: nil).items.sorted { $0.step < $1.step }
                guard !history.isEmpty else { continue }
                let points = history.map { SVGChart.Point(x: Double($0.step), y: $0.value) }
                let steps = Set(history.map(\.step)).sorted()
                let stride_ = max(1, steps.count / 6)
                let ticks = stride(from: 0, to: steps.count, by: stride_).map { (x: Double(steps[$0]), label: String(steps[$0])) }
                charts.append(Self.card("\(key) over steps (\(run.info.name))", SVGChart.line(
                    points, xTicks: ticks, yFormat: Self.number, pointLabel: { "step \(Int($0.x)): \(Self.number($0.y))" }, label: key
                )))
            }
            if !charts.isEmpty { body.append(.element("div", ["class": "grid2"], charts)) }
        }
        return DashboardPage.response(title: "Experiment " + experiment.name, section: "/experiments", body)
    }

    /// `/models`: registered models with their versions, stages and aliases, 50 a page.
    func models(_ request: Request) async throws -> Response {
        let token = request.uri.queryParameters["page_token"].map(String.init)
        let page = try await store.searchRegisteredModels(filter: SearchFilter(clauses: []), order: [], maxResults: Self.pageSize, pageToken: token)
        var sections: [HTML] = []
        for model in page.items {
            let versions = try await store.searchModelVersions(
                filter: SearchFilter(clauses: [SearchFilter.Clause(kind: .attribute, key: "name", comparison: .equal, value: .string(model.name))]),
                order: [], maxResults: Self.pageSize, pageToken: nil
            ).items.sorted { $0.version > $1.version }
            let aliases = model.aliases.sorted { $0.key < $1.key }.map { HTML.element("span", ["class": "badge"], text: "@\($0.key) → v\($0.value)") }.joined()
            let table = DashboardPage.table(
                ["Version", "Stage", "Aliases", "Run", "Source", "Created (UTC)"],
                versions.map { version in
                    [HTML("v\(version.version)"), HTML(version.currentStage), version.aliases.sorted().map { HTML.element("span", ["class": "badge"], text: "@" + $0) }.joined(),
                     .element("code", text: String(version.runID.prefix(12))), .element("code", text: version.source), HTML(DashboardFormat.time(millis: version.creationTimestamp))]
                }
            )
            sections.append(Self.card(model.name, (model.description.isEmpty ? .empty : .element("p", text: model.description)) + .element("p", aliases) + table))
        }
        let body: [HTML] = (page.items.isEmpty ? [DashboardPage.empty("No registered models yet.")] : sections) + [
            Self.pager(previous: token == nil ? nil : "/models", next: page.nextPageToken.map { DashboardPage.link("/models", [("page_token", $0)]) }, labels: ("⇤ First", "Next →")),
        ]
        return DashboardPage.response(title: "Models", section: "/models", body)
    }
}
