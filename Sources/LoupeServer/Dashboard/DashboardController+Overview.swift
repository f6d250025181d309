import Foundation
import Hummingbird
import LoupeCore

extension DashboardController {
    /// `/`: the range's totals, its series over time, spend by model and the latest traces.
    func overview(_ request: Request) async throws -> Response {
        let range = DashboardRange(request.uri.queryParameters["range"])
        let now = now()
        let series = try await OverviewSeries.load(range: range, now: now, store: store)
        let byModel = try await store.costReport(CostReportQuery(groupBy: .model, since: now.addingTimeInterval(-range.seconds), until: now))
        let latest = try await store.traces(matching: TraceQuery(limit: 8))
        let totals = series.totals
        var body: [HTML] = [DashboardPage.rangePicker(range, path: "/")]
        body.append(.element(
            "div", ["class": "stats"],
            DashboardPage.stat("Requests", DashboardFormat.count(totals.requests)),
            DashboardPage.stat("Spend", DashboardFormat.dollars(totals.cost)),
            DashboardPage.stat("Tokens", DashboardFormat.count(totals.inputTokens + totals.outputTokens),
                               note: "\(DashboardFormat.count(totals.inputTokens)) in · \(DashboardFormat.count(totals.outputTokens)) out"),
            DashboardPage.stat("Error rate", DashboardFormat.percent(totals.errorRate), note: "\(DashboardFormat.count(totals.errors)) failed"),
            DashboardPage.stat("p50 latency", DashboardFormat.milliseconds(totals.p50LatencyMs)),
            DashboardPage.stat("p95 latency", DashboardFormat.milliseconds(totals.p95LatencyMs))
        ))
        if series.capped {
            body.append(.element("p", ["class": "muted"], text: "This range holds more than \(DashboardFormat.count(OverviewSeries.traceCap)) calls: the charts show the newest \(DashboardFormat.count(OverviewSeries.traceCap)). Pick 7 d or 30 d for the daily rollups."))
        }
        let models = byModel.sorted { ($0.costUSD ?? 0, $0.requests) > ($1.costUSD ?? 0, $1.requests) }.prefix(12)
        body.append(.element(
            "div", ["class": "grid2"],
            Self.card("Spend by model", models.isEmpty ? DashboardPage.empty("No calls in this range.") : SVGChart.bars(
                models.map { ($0.key ?? "(none)", NSDecimalNumber(decimal: $0.costUSD ?? 0).doubleValue) },
                format: DashboardFormat.shortDollars, label: "Spend by model"
            ) + .element("p", .element("a", ["href": DashboardPage.link("/cost", [("by", "model"), ("range", range.rawValue)])], text: "Cost by model, provider, user… →"))),
            Self.card("Latest traces", latest.traces.isEmpty ? DashboardPage.empty("No traces yet: send a call through /v1.") : Self.traceTable(latest.traces, compact: true)
                + .element("p", .element("a", ["href": "/traces"], text: "All traces →")))
        ))
        body.append(.element(
            "div", ["class": "grid2"],
            Self.card("Requests", Self.seriesChart(series, label: "Requests", format: { DashboardFormat.count(Int($0.rounded())) }, { Double($0.requests) })),
            Self.card("Spend (USD)", Self.seriesChart(series, label: "Spend", format: DashboardFormat.shortDollars, { NSDecimalNumber(decimal: $0.cost).doubleValue })),
            Self.card("Tokens", Self.seriesChart(series, label: "Tokens", format: { DashboardFormat.count(Int($0.rounded())) }, { Double($0.inputTokens + $0.outputTokens) })),
            Self.card("Error rate", Self.seriesChart(series, label: "Error rate", format: DashboardFormat.percent, { $0.errorRate })),
            Self.card("p50 latency", Self.seriesChart(series, label: "p50 latency", format: DashboardFormat.milliseconds, { $0.p50LatencyMs ?? 0 })),
            Self.card("p95 latency", Self.seriesChart(series, label: "p95 latency", format: DashboardFormat.milliseconds, { $0.p95LatencyMs ?? 0 }))
        ))
        return DashboardPage.response(title: "Overview", section: "/", body)
    }

    /// A white card with a heading.
    static func card(_ title: String, _ content: HTML) -> HTML {
        .element("section", ["class": "card"], .element("h2", text: title), content)
    }

    /// One figure of the series as a line chart, labelled at about six buckets.
    static func seriesChart(_ series: OverviewSeries, label: String, format: (Double) -> String, _ value: (OverviewSeries.Bucket) -> Double) -> HTML {
        let daily = series.range.usesDailyRollups
        let points = series.buckets.enumerated().map { SVGChart.Point(x: Double($0.offset), y: value($0.element)) }
        let step = max(1, Int((Double(series.buckets.count) / 6).rounded(.up)))
        let ticks = stride(from: 0, to: series.buckets.count, by: step).map { index in
            (x: Double(index), label: DashboardFormat.bucketLabel(series.buckets[index].start, daily: daily))
        }
        return SVGChart.line(points, xTicks: ticks, yFormat: format, pointLabel: { point in
            let bucket = series.buckets[Int(point.x)]
            return "\(DashboardFormat.time(bucket.start)) UTC: \(format(point.y))"
        }, label: label)
    }
}
