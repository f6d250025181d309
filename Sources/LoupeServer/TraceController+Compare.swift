import Foundation
import Hummingbird
import HummingbirdCore
import LoupeConfig
import LoupeCore

extension TraceController {
    /// `GET /api/reports/compare?shadow=MODEL`, `?split=MODEL` or `?a=MODEL&b=MODEL`, with optional `since`, `until` and `format=csv`.
    func compareReport(_ request: Request) async throws -> Response {
        let format = try ReportFormat(request.uri.queryParameters)
        let query = try Self.comparisonQuery(request.uri.queryParameters, splits: splits)
        let report = try await ComparisonReporter(store: store).report(query)
        if format == .csv { return ReportFormat.csv(ReportTables.compare(report), report: "compare") }
        return try Self.json(report)
    }

    /// Reads exactly one mode and the time window; a split's sides come from the configured split when there is one.
    static func comparisonQuery(_ parameters: Parameters, splits: [String: LoupeConfiguration.Split]) throws -> ComparisonQuery {
        func model(_ name: String) throws -> String? {
            guard let value = parameters[Substring(name)] else { return nil }
            guard !value.isEmpty else {
                throw APIError(status: .badRequest, message: "\(name) must name a model.", code: "invalid_parameter", param: name)
            }
            return String(value)
        }
        let shadow = try model("shadow"), split = try model("split"), a = try model("a"), b = try model("b")
        let given = [shadow.map { _ in "shadow" }, split.map { _ in "split" }, (a ?? b).map { _ in "a" }].compactMap { $0 }
        guard given.count == 1 else {
            let message = given.isEmpty
                ? "Say what to compare: shadow=MODEL (a shadow model against the calls it copied), split=MODEL (a split's champion against its challenger), or a=MODEL&b=MODEL (two models)."
                : "Pass only one of shadow=MODEL, split=MODEL, or a=MODEL&b=MODEL; this request has \(given.joined(separator: ", "))."
            throw APIError(status: .badRequest, message: message, code: "invalid_parameter", param: given.last ?? "shadow")
        }
        let mode: ComparisonQuery.Mode
        if let shadow {
            mode = .shadow(model: shadow)
        } else if let split {
            mode = .split(model: split, champion: splits[split]?.champion, challenger: splits[split]?.challenger)
        } else {
            guard let a else { throw APIError(status: .badRequest, message: "b needs a: pass a=MODEL&b=MODEL.", code: "invalid_parameter", param: "a") }
            guard let b else { throw APIError(status: .badRequest, message: "a needs b: pass a=MODEL&b=MODEL.", code: "invalid_parameter", param: "b") }
            mode = .models(a: a, b: b)
        }
        return ComparisonQuery(mode: mode, since: try time(parameters, "since"), until: try time(parameters, "until"))
    }
}
