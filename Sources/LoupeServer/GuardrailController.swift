import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeGuardrails

/// `POST /api/guardrails/check` for apps that call providers directly, and `GET /api/reports/guardrails`.
struct GuardrailController<Context: RequestContext>: Sendable {
    let store: any TraceStore
    let policies: GuardrailPolicySet
    let proxy: ProxyController<Context>

    /// The largest text the check API takes.
    static var maxBodyBytes: Int { 8 * 1024 * 1024 }

    func addRoutes(to router: Router<Context>) {
        let api = router.group("api")
        api.post("guardrails/check") { request, _ in try await check(request) }
        api.get("guardrails/policies") { _, _ in try TraceController<Context>.json(["data": policies.names]) }
        api.get("reports/guardrails") { request, _ in try await report(request.uri.queryParameters) }
    }

    /// `{"policy": "default", "direction": "input", "text": "…"}` → what fired, whether it blocks, and the redacted text.
    func check(_ request: Request) async throws -> Response {
        let bytes = try await request.body.collect(upTo: Self.maxBodyBytes)
        guard case .object(let body)? = try? JSONValue.parse(bytes: bytes.readableBytesView) else {
            throw APIError.malformedJSON("expected an object such as {\"policy\": \"default\", \"direction\": \"input\", \"text\": \"…\"}")
        }
        guard let text = body["text"]?.stringValue else {
            throw APIError(status: .badRequest, message: "'text' must be a string: the text to check.", code: "invalid_type", param: "text")
        }
        let directionName = body["direction"]?.stringValue ?? "input"
        guard let direction = GuardrailResult.Direction(rawValue: directionName) else {
            throw APIError(status: .badRequest, message: "'direction' must be input or output.", code: "invalid_parameter", param: "direction")
        }
        let name = body["policy"]?.stringValue ?? "default"
        guard let policy = policies.policy(named: name) else {
            let known = policies.names.isEmpty ? "No policies are configured under guardrails.policies." : "Policies: \(policies.names.joined(separator: ", "))."
            throw APIError(status: .notFound, message: "There is no guardrail policy '\(name)'. \(known)", code: "policy_not_found", param: "policy")
        }
        let evaluation = await policy.evaluate([text], direction: direction, judge: ProxyJudge(proxy: proxy))
        var answer: [String: JSONValue] = [
            "policy": .string(name),
            "direction": .string(direction.rawValue),
            "passed": .bool(evaluation.block == nil),
            "results": .array(evaluation.results.map(\.json)),
            "text": .string(evaluation.block == nil ? evaluation.texts[0] : policy.maskedForRecord(evaluation.texts, direction: direction)[0]),
        ]
        if let block = evaluation.block {
            answer["error"] = APIError.guardrailViolation(block).errorObject
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(answer).jsonText)))
    }

    func report(_ parameters: Parameters) async throws -> Response {
        let format = try ReportFormat(parameters)
        let rows = try await store.guardrailReport(
            since: try TraceController<Context>.time(parameters, "since"), until: try TraceController<Context>.time(parameters, "until")
        )
        if format == .csv { return ReportFormat.csv(ReportTables.guardrails(rows), report: "guardrails") }
        return try TraceController<Context>.json(["data": rows])
    }
}
