import Foundation
import Hummingbird
import HummingbirdCore
import LoupeCore

/// Eval results for dashboards and CI: `GET /api/evals/runs` and `GET /api/evals/runs/{id}`.
struct EvalController<Context: RequestContext>: Sendable {
    let reader: EvalRunReader

    func addRoutes(to router: Router<Context>) {
        let api = router.group("api/evals")
        api.get("runs") { request, _ in try await list(request) }
        api.get("runs/{id}") { _, context in try await show(try context.parameters.require("id")) }
    }

    func list(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        var limit = 50
        if let text = parameters["limit"] {
            guard let value = Int(String(text)), (1...1000).contains(value) else {
                throw APIError(status: .badRequest, message: "limit must be a whole number from 1 to 1000.", code: "invalid_parameter", param: "limit")
            }
            limit = value
        }
        let page: TrackingPage<EvalRunReader.RunRow>
        do {
            page = try await reader.page(suite: parameters["suite"].map(String.init), limit: limit, pageToken: parameters["page_token"].map(String.init))
        } catch let error as TrackingError {
            throw APIError(status: .badRequest, message: "\(error)", code: "invalid_parameter", param: "page_token")
        }
        return try TraceController<Context>.json(EvalRunList(data: page.items, nextPageToken: page.nextPageToken))
    }

    func show(_ id: String) async throws -> Response {
        guard let run = try await reader.run(id: id) else {
            throw APIError(status: .notFound, message: "No eval run has the id '\(id)'.", code: "eval_run_not_found", param: "id")
        }
        return try TraceController<Context>.json(run)
    }
}

/// A page of eval runs as `/api/evals/runs` answers it; `next_page_token` is null on the last page.
struct EvalRunList: Encodable {
    var data: [EvalRunReader.RunRow]
    var nextPageToken: String?

    enum CodingKeys: String, CodingKey { case data, next_page_token }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(nextPageToken, forKey: .next_page_token)
    }
}
