import Foundation
import HTTPTypes
import Hummingbird
import LoupeCore

extension DashboardController {
    /// `/cost?by=model&range=7d`: spend grouped by one dimension, as a chart and a paginated table, with CSV download.
    func cost(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let range = DashboardRange(parameters["range"])
        guard let dimension = CostDimension(rawValue: parameters["by"].map(String.init) ?? "model") else {
            return Self.badRequest("by must be one of: \(CostDimension.allCases.map(\.rawValue).joined(separator: ", ")).", section: "/cost")
        }
        let rows = try await costRows(dimension, range)
        let pageNumber = max(1, parameters["page"].flatMap { Int($0) } ?? 1)
        let pageRows = rows.dropFirst((pageNumber - 1) * Self.pageSize).prefix(Self.pageSize)
        let tabs = HTML.element("p", ["class": "tabs"], CostDimension.allCases.map { each in
            HTML.element("a", ["href": DashboardPage.link("/cost", [("by", each.rawValue), ("range", range.rawValue)]), "class": each == dimension ? "active" : nil], text: "By \(each.rawValue)")
        })
        var body: [HTML] = [DashboardPage.rangePicker(range, path: "/cost", keeping: [("by", dimension.rawValue)]), tabs]
        let total = rows.reduce(Decimal(0)) { $0 + ($1.costUSD ?? 0) }
        body.append(.element(
            "div", ["class": "stats"],
            DashboardPage.stat("Spend", DashboardFormat.dollars(total)),
            DashboardPage.stat("Requests", DashboardFormat.count(rows.reduce(0) { $0 + $1.requests })),
            DashboardPage.stat("Groups", DashboardFormat.count(rows.count))
        ))
        let chart: HTML
        if rows.isEmpty {
            chart = DashboardPage.empty("No calls in this range.")
        } else if dimension == .day {
            let points = rows.enumerated().map { SVGChart.Point(x: Double($0.offset), y: NSDecimalNumber(decimal: $0.element.costUSD ?? 0).doubleValue) }
            let step = max(1, Int((Double(rows.count) / 6).rounded(.up)))
            let ticks = stride(from: 0, to: rows.count, by: step).map { (x: Double($0), label: String((rows[$0].key ?? "").suffix(5))) }
            chart = SVGChart.line(points, xTicks: ticks, yFormat: DashboardFormat.shortDollars, pointLabel: { point in
                "\(rows[Int(point.x)].key ?? ""): \(DashboardFormat.dollars(rows[Int(point.x)].costUSD))"
            }, label: "Spend by day")
        } else {
            chart = SVGChart.bars(
                rows.prefix(15).map { ($0.key ?? "(none)", NSDecimalNumber(decimal: $0.costUSD ?? 0).doubleValue) },
                format: DashboardFormat.shortDollars, label: "Spend by \(dimension.rawValue)"
            )
        }
        body.append(Self.card("Spend by \(dimension.rawValue)", chart))
        let table = DashboardPage.table(
            [dimension.rawValue.capitalized, "Spend", "Requests", "Input tokens", "Output tokens", "Errors", "p50", "p95"],
            pageRows.map { row in
                [HTML(row.key ?? "(none)"), HTML(DashboardFormat.dollars(row.costUSD)), HTML(DashboardFormat.count(row.requests)),
                 HTML(DashboardFormat.count(row.inputTokens)), HTML(DashboardFormat.count(row.outputTokens)), HTML(DashboardFormat.count(row.errors)),
                 HTML(DashboardFormat.milliseconds(row.p50LatencyMs)), HTML(DashboardFormat.milliseconds(row.p95LatencyMs))]
            }, numericFrom: 1
        )
        let csv = HTML.element("a", ["href": DashboardPage.link("/cost.csv", [("by", dimension.rawValue), ("range", range.rawValue)])], text: "Download CSV")
        body.append(Self.card("Table", table + Self.pager(
            previous: pageNumber > 1 ? DashboardPage.link("/cost", [("by", dimension.rawValue), ("range", range.rawValue), ("page", String(pageNumber - 1))]) : nil,
            next: rows.count > pageNumber * Self.pageSize ? DashboardPage.link("/cost", [("by", dimension.rawValue), ("range", range.rawValue), ("page", String(pageNumber + 1))]) : nil
        ) + .element("p", csv)))
        return DashboardPage.response(title: "Cost", section: "/cost", body)
    }

    /// `/cost.csv?by=model&range=7d`: the same rows as RFC 4180 CSV.
    func costCSV(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let range = DashboardRange(parameters["range"])
        guard let dimension = CostDimension(rawValue: parameters["by"].map(String.init) ?? "model") else {
            return Self.badRequest("by must be one of: \(CostDimension.allCases.map(\.rawValue).joined(separator: ", ")).", section: "/cost")
        }
        let rows = try await costRows(dimension, range)
        var lines = [[dimension.rawValue, "cost_usd", "requests", "input_tokens", "output_tokens", "errors", "p50_latency_ms", "p95_latency_ms"]]
        for row in rows {
            lines.append([
                row.key ?? "", row.costUSD.map { "\($0)" } ?? "", String(row.requests), String(row.inputTokens), String(row.outputTokens),
                String(row.errors), row.p50LatencyMs.map { String($0) } ?? "", row.p95LatencyMs.map { String($0) } ?? "",
            ])
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"loupe-cost-\(dimension.rawValue)-\(range.rawValue).csv\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: Self.csv(lines))))
    }

    /// The report for the range, most spend first (days in order).
    private func costRows(_ dimension: CostDimension, _ range: DashboardRange) async throws -> [CostReportRow] {
        let now = now()
        let rows = try await store.costReport(CostReportQuery(groupBy: dimension, since: now.addingTimeInterval(-range.seconds), until: now))
        if dimension == .day { return rows.sorted { ($0.key ?? "") < ($1.key ?? "") } }
        return rows.sorted { ($0.costUSD ?? -1, $0.requests, $1.key ?? "") > ($1.costUSD ?? -1, $1.requests, $0.key ?? "") }
    }

    /// The lines as CSV, the first being the header (see `CSVWriter` for the quoting and the formula guard).
    static func csv(_ lines: [[String]]) -> String {
        guard let header = lines.first else { return "" }
        var writer = CSVWriter(header: header)
        for line in lines.dropFirst() { writer.row(line) }
        return writer.text
    }

    /// Previous and next links; absent ones are left out.
    static func pager(previous: String?, next: String?, labels: (String, String) = ("← Previous", "Next →")) -> HTML {
        guard previous != nil || next != nil else { return .empty }
        return .element(
            "div", ["class": "pager"],
            previous.map { HTML.element("a", ["href": $0, "rel": "prev"], text: labels.0) } ?? .empty,
            next.map { HTML.element("a", ["href": $0, "rel": "next"], text: labels.1) } ?? .empty
        )
    }
}
