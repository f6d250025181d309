import Foundation
import Hummingbird
import HummingbirdCore
import LoupeCore

extension TraceController {
    /// `GET /api/reports/usage?granularity=hour|day|week&group_by=…&since=&until=[&format=csv]`: a time series
    /// of requests, errors, tokens and cost, per bucket and optionally per group.
    func usageReport(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let format = try ReportFormat(parameters)
        let query = try Self.usageQuery(parameters)
        let rows = try await UsageReporter(store: store).report(query)
        if format == .csv { return ReportFormat.csv(ReportTables.usage(rows, groupBy: query.groupBy), report: "usage") }
        return try Self.json(UsageReportBody(query: query, rows: rows))
    }

    /// `GET /api/reports/latency?since=&until=[&group_by=model][&format=csv]`: p50, p90, p95 and p99 per group.
    func latencyReport(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let format = try ReportFormat(parameters)
        let name = parameters["group_by"].map(String.init) ?? "model"
        guard let dimension = CostDimension(rawValue: name) else {
            throw APIError(
                status: .badRequest, message: "group_by must be one of: \(CostDimension.allCases.map(\.rawValue).joined(separator: ", ")).",
                code: "invalid_parameter", param: "group_by"
            )
        }
        let query = CostReportQuery(groupBy: dimension, since: try Self.time(parameters, "since"), until: try Self.time(parameters, "until"))
        let rows = try await store.costGroups(query).map(LatencyReportRow.init)
        if format == .csv { return ReportFormat.csv(ReportTables.latency(rows, dimension: dimension), report: "latency") }
        return try Self.json(LatencyReportBody(dimension: dimension, rows: rows))
    }

    /// Reads granularity (default day), group_by (absent: totals) and the window (default: the last day, week or 8 weeks).
    static func usageQuery(_ parameters: Parameters, now: Date = Date()) throws -> UsageReportQuery {
        let granularityName = parameters["granularity"].map(String.init) ?? "day"
        guard let granularity = UsageGranularity(rawValue: granularityName) else {
            throw APIError(status: .badRequest, message: "granularity must be hour, day or week, not '\(granularityName)'.", code: "invalid_parameter", param: "granularity")
        }
        var groupBy: CostDimension?
        if let name = parameters["group_by"] {
            let allowed = CostDimension.allCases.filter { $0 != .day }
            guard let dimension = CostDimension(rawValue: String(name)), dimension != .day else {
                let hint = name == "day" ? " The series is already by time: use granularity=day." : ""
                throw APIError(
                    status: .badRequest, message: "group_by must be one of: \(allowed.map(\.rawValue).joined(separator: ", ")).\(hint)",
                    code: "invalid_parameter", param: "group_by"
                )
            }
            groupBy = dimension
        }
        let until = try time(parameters, "until") ?? now
        let since = try time(parameters, "since") ?? UsageReportQuery.defaultSince(granularity, until: until)
        guard since <= until else {
            throw APIError(status: .badRequest, message: "since must be before until.", code: "invalid_parameter", param: "since")
        }
        let query = UsageReportQuery(granularity: granularity, groupBy: groupBy, since: since, until: until)
        guard !query.exceedsHourlyLimit else {
            throw APIError(
                status: .badRequest,
                message: "An hourly series may span at most \(UsageReportQuery.maxHourlyDays) days, since hours are summed from the traces: narrow since/until or use granularity=day.",
                code: "invalid_parameter", param: "granularity"
            )
        }
        return query
    }
}

/// `{"granularity":"day","group_by":"model","since":…,"until":…,"data":[{"start":…,"model":…,"requests":…}]}`.
private struct UsageReportBody: Encodable {
    var query: UsageReportQuery
    var rows: [UsageReportRow]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encode(query.granularity.rawValue, forKey: DynamicCodingKey("granularity"))
        try container.encode(query.groupBy?.rawValue, forKey: DynamicCodingKey("group_by"))
        try container.encode(Self.iso(query.range.lowerBound), forKey: DynamicCodingKey("since"))
        try container.encode(Self.iso(query.range.upperBound), forKey: DynamicCodingKey("until"))
        var list = container.nestedUnkeyedContainer(forKey: DynamicCodingKey("data"))
        for row in rows {
            var item = list.nestedContainer(keyedBy: DynamicCodingKey.self)
            try item.encode(TimeExpression.iso8601(row.start), forKey: DynamicCodingKey("start"))
            if let groupBy = query.groupBy { try item.encode(row.key, forKey: DynamicCodingKey(groupBy.rawValue)) }
            try item.encode(row.requests, forKey: DynamicCodingKey("requests"))
            try item.encode(row.errors, forKey: DynamicCodingKey("errors"))
            try item.encode(row.inputTokens, forKey: DynamicCodingKey("input_tokens"))
            try item.encode(row.outputTokens, forKey: DynamicCodingKey("output_tokens"))
            try item.encode(row.costUSD, forKey: DynamicCodingKey("cost_usd"))
        }
    }

    static func iso(_ millis: Int64) -> String {
        TimeExpression.iso8601(Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

/// `{"data":[{"model": …, "requests": …, "p50_latency_ms": …, …}]}`: the group key is named after the dimension.
private struct LatencyReportBody: Encodable {
    var dimension: CostDimension
    var rows: [LatencyReportRow]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        var list = container.nestedUnkeyedContainer(forKey: DynamicCodingKey("data"))
        for row in rows {
            var item = list.nestedContainer(keyedBy: DynamicCodingKey.self)
            try item.encode(row.key, forKey: DynamicCodingKey(dimension.rawValue))
            try item.encode(row.requests, forKey: DynamicCodingKey("requests"))
            try item.encode(row.p50LatencyMs, forKey: DynamicCodingKey("p50_latency_ms"))
            try item.encode(row.p90LatencyMs, forKey: DynamicCodingKey("p90_latency_ms"))
            try item.encode(row.p95LatencyMs, forKey: DynamicCodingKey("p95_latency_ms"))
            try item.encode(row.p99LatencyMs, forKey: DynamicCodingKey("p99_latency_ms"))
        }
    }
}
