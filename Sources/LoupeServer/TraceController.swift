import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeConfig
import LoupeCore

/// Loupe's query API: `/api/traces`, and the reports `cost`, `usage`, `latency` and `compare` under `/api/reports`.
struct TraceController<Context: RequestContext>: Sendable {
    let store: any LoupeStore
    /// The configured splits by the model that splits, so that `compare?split=` knows each side's model.
    var splits: [String: LoupeConfiguration.Split] = [:]

    func addRoutes(to router: Router<Context>) {
        let api = router.group("api")
        api.get("traces") { request, _ in try await listTraces(request) }
        api.get("traces/{id}") { request, context in try await showTrace(request, context) }
        api.get("reports/cost") { request, _ in try await costReport(request) }
        api.get("reports/compare") { request, _ in try await compareReport(request) }
        api.get("reports/usage") { request, _ in try await usageReport(request) }
        api.get("reports/latency") { request, _ in try await latencyReport(request) }
    }

    func listTraces(_ request: Request) async throws -> Response {
        let query = try Self.traceQuery(request.uri.queryParameters)
        let page = try await store.traces(matching: query)
        return try Self.json(page)
    }

    func showTrace(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let trace = try await store.trace(id: id) else {
            throw APIError(status: .notFound, message: "No trace has the id '\(id)'.", code: "trace_not_found", param: "id")
        }
        return try Self.json(trace)
    }

    func costReport(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let format = try ReportFormat(parameters)
        let dimensionName = parameters["group_by"].map(String.init) ?? "model"
        if dimensionName == "guardrail" {
            let rows = try await store.guardrailReport(since: try Self.time(parameters, "since"), until: try Self.time(parameters, "until"))
            if format == .csv { return ReportFormat.csv(ReportTables.guardrails(rows), report: "guardrails") }
            return try Self.json(["data": rows])
        }
        guard let dimension = CostDimension(rawValue: dimensionName) else {
            let allowed = (CostDimension.allCases.map(\.rawValue) + ["guardrail"]).joined(separator: ", ")
            throw APIError(status: .badRequest, message: "group_by must be one of: \(allowed).", code: "invalid_parameter", param: "group_by")
        }
        let query = CostReportQuery(groupBy: dimension, since: try Self.time(parameters, "since"), until: try Self.time(parameters, "until"))
        let rows = try await store.costReport(query)
        if format == .csv { return ReportFormat.csv(ReportTables.cost(rows, dimension: dimension), report: "cost") }
        return try Self.json(CostReportBody(dimension: dimension, rows: rows))
    }

    static func traceQuery(_ parameters: Parameters) throws -> TraceQuery {
        var query = TraceQuery()
        query.model = parameters["model"].map(String.init)
        query.provider = parameters["provider"].map(String.init)
        query.user = parameters["user"].map(String.init)
        query.sessionID = parameters["session_id"].map(String.init)
        query.tag = parameters["tag"].map(String.init)
        query.variant = parameters["variant"].map(String.init)
        query.parentTraceID = parameters["parent_trace_id"].map(String.init)
        if let cacheHit = parameters["cache_hit"] {
            switch cacheHit {
            case "true": query.cacheHit = true
            case "false": query.cacheHit = false
            default:
                throw APIError(status: .badRequest, message: "cache_hit must be true or false, not '\(cacheHit)'.", code: "invalid_parameter", param: "cache_hit")
            }
        }
        if let status = parameters["status"] {
            guard let filter = TraceQuery.StatusFilter(String(status)) else {
                throw APIError(status: .badRequest, message: "status must be ok, error, cancelled, an HTTP code such as 429, or a class such as 5xx.", code: "invalid_parameter", param: "status")
            }
            query.status = filter
        }
        query.since = try time(parameters, "since")
        query.until = try time(parameters, "until")
        if let limit = parameters["limit"] {
            guard let value = Int(limit), (1...TraceQuery.maxLimit).contains(value) else {
                throw APIError(status: .badRequest, message: "limit must be a whole number from 1 to \(TraceQuery.maxLimit).", code: "invalid_parameter", param: "limit")
            }
            query.limit = value
        }
        if let cursor = parameters["cursor"] {
            guard let position = TraceCursor(token: String(cursor)) else {
                throw APIError(status: .badRequest, message: "cursor is not one this API returned; pass next_cursor from the previous page unchanged.", code: "invalid_parameter", param: "cursor")
            }
            query.cursor = position
        }
        return query
    }

    static func time(_ parameters: Parameters, _ name: String) throws -> Date? {
        guard let text = parameters[Substring(name)] else { return nil }
        do {
            return try TimeExpression.parse(String(text))
        } catch {
            throw APIError(status: .badRequest, message: "\(name): \(error)", code: "invalid_parameter", param: name)
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// `{"data":[{"model": …, "requests": …}]}`: the group key is named after the dimension.
private struct CostReportBody: Encodable {
    var dimension: CostDimension
    var rows: [CostReportRow]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        var list = container.nestedUnkeyedContainer(forKey: DynamicCodingKey("data"))
        for row in rows {
            var item = list.nestedContainer(keyedBy: DynamicCodingKey.self)
            try item.encode(row.key, forKey: DynamicCodingKey(dimension.rawValue))
            try item.encode(row.requests, forKey: DynamicCodingKey("requests"))
            try item.encode(row.inputTokens, forKey: DynamicCodingKey("input_tokens"))
            try item.encode(row.outputTokens, forKey: DynamicCodingKey("output_tokens"))
            try item.encode(row.costUSD, forKey: DynamicCodingKey("cost_usd"))
            try item.encode(row.errors, forKey: DynamicCodingKey("errors"))
            try item.encode(row.p50LatencyMs, forKey: DynamicCodingKey("p50_latency_ms"))
            try item.encode(row.p95LatencyMs, forKey: DynamicCodingKey("p95_latency_ms"))
        }
    }
}
