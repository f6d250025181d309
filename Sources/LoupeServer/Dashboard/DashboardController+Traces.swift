import Foundation
import Hummingbird
import LoupeCore

extension DashboardController {
    /// The filters the trace list offers, by query parameter.
    static var traceFilters: [String] { ["model", "provider", "user", "tag", "status"] }

    /// `/traces`: newest first, 50 a page, filtered by model, provider, user, tag or status, paged by the store's cursor.
    func traces(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let filters = Self.traceFilters.compactMap { name in parameters.get(name).map { (name, $0) } }.filter { !$0.1.isEmpty }
        var query = TraceQuery(limit: Self.pageSize)
        for (name, value) in filters {
            switch name {
            case "model": query.model = value
            case "provider": query.provider = value
            case "user": query.user = value
            case "tag": query.tag = value
            default:
                guard let status = TraceQuery.StatusFilter(value) else {
                    return Self.badRequest("status must be ok, error, cancelled, an HTTP code such as 429, or a class such as 5xx.", section: "/traces")
                }
                query.status = status
            }
        }
        if let token = parameters["cursor"] {
            guard let cursor = TraceCursor(token: String(token)) else { return Self.badRequest("That page link is not valid.", section: "/traces") }
            query.cursor = cursor
        }
        let page = try await store.traces(matching: query)
        let form = HTML.element("form", ["method": "get", "action": "/traces", "class": "filters"], Self.traceFilters.map { name in
            HTML.element("label", HTML(name.capitalized), .element("input", ["name": name, "value": filters.first { $0.0 == name }?.1 ?? "", "placeholder": name == "status" ? "ok, error, 5xx…" : nil]))
        } + [.element("button", ["type": "submit"], text: "Filter"), .element("a", ["href": "/traces"], text: "Clear")])
        var body: [HTML] = [form]
        body.append(page.traces.isEmpty ? DashboardPage.empty("No traces match.") : Self.traceTable(page.traces, compact: false))
        body.append(Self.pager(
            previous: query.cursor == nil ? nil : DashboardPage.link("/traces", filters),
            next: page.nextCursor.map { DashboardPage.link("/traces", filters + [("cursor", $0.token)]) },
            labels: ("⇤ Newest", "Older →")
        ))
        return DashboardPage.response(title: "Traces", section: "/traces", body)
    }

    /// A table of traces, each id linking to its page.
    static func traceTable(_ traces: [Trace], compact: Bool) -> HTML {
        let headers = compact ? ["Time (UTC)", "Trace", "Model", "Status", "Latency", "Cost"]
            : ["Time (UTC)", "Trace", "Model", "Provider", "Status", "Latency", "Tokens", "Cost", "User"]
        let rows = traces.map { trace -> [HTML] in
            let id = HTML.element("a", ["href": "/traces/" + DashboardPage.encode(trace.id)], .element("code", text: compact ? String(trace.id.suffix(12)) : trace.id))
            let status = HTML.element("span", ["class": trace.status.rawValue], text: "\(trace.status.rawValue) \(trace.statusCode)")
            let cost = HTML(DashboardFormat.dollars(trace.cost?.decimal))
            if compact {
                return [HTML(String(DashboardFormat.time(trace.createdAt).dropFirst(5).dropLast(3))), id, HTML(trace.model ?? "—"), status, HTML(DashboardFormat.milliseconds(trace.latencyMs)), cost]
            }
            return [HTML(DashboardFormat.time(trace.createdAt)), id, HTML(trace.model ?? "—"), HTML(trace.provider ?? "—"), status,
                    HTML(DashboardFormat.milliseconds(trace.latencyMs)), HTML(DashboardFormat.count((trace.usage.inputTokens ?? 0) + (trace.usage.outputTokens ?? 0))), cost, HTML(trace.user ?? "")]
        }
        return DashboardPage.table(headers, rows)
    }

    /// `/traces/{id}`: one call's request, response, tokens, cost, timing, guardrail results and prompt version.
    func trace(_ id: String) async throws -> Response {
        guard let trace = try await store.trace(id: id) else { return Self.notFound("No trace has the id '\(id)'.", section: "/traces") }
        var facts: [(String, HTML)] = [
            ("Trace id", .element("code", text: trace.id)),
            ("Time (UTC)", HTML(DashboardFormat.time(trace.createdAt))),
            ("Endpoint", .element("code", text: trace.endpoint)),
            ("Model", HTML([trace.model, trace.upstreamModel.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "))),
            ("Provider", HTML(trace.provider ?? "—")),
            ("Status", .element("span", ["class": trace.status.rawValue], text: "\(trace.status.rawValue) · HTTP \(trace.statusCode)")),
            ("Latency", HTML(DashboardFormat.milliseconds(trace.latencyMs) + (trace.ttftMs.map { " · first token \(DashboardFormat.milliseconds($0))" } ?? ""))),
            ("Tokens", HTML("\(Self.tokens(trace.usage.inputTokens)) in · \(Self.tokens(trace.usage.outputTokens)) out")),
            ("Cost", HTML(DashboardFormat.dollars(trace.cost?.decimal))),
        ]
        if let error = trace.error { facts.append(("Error", .element("span", ["class": "bad"], text: error))) }
        if let name = trace.promptName {
            let version = trace.promptVersion.map { "version \($0)" } ?? ""
            facts.append(("Prompt", .element("a", ["href": "/prompts/" + name.split(separator: "/").map { DashboardPage.encode(String($0)) }.joined(separator: "/")], text: name) + HTML(" " + version)))
        }
        if let user = trace.user { facts.append(("User", HTML(user))) }
        if let session = trace.sessionID { facts.append(("Session", HTML(session))) }
        if let key = trace.keyName ?? trace.keyID { facts.append(("Key", HTML(key))) }
        if !trace.tags.isEmpty { facts.append(("Tags", trace.tags.map { HTML.element("span", ["class": "badge"], text: $0) }.joined())) }
        if let variant = trace.variant { facts.append(("Variant", HTML(variant))) }
        if let parent = trace.parentTraceID { facts.append(("Shadow of", .element("a", ["href": "/traces/" + DashboardPage.encode(parent)], text: parent))) }
        if trace.cacheHit { facts.append(("Cache", HTML("answered from the response cache, saved \(DashboardFormat.dollars(trace.costSaved?.decimal))"))) }
        var body: [HTML] = [Self.card("Call", .element("dl", ["class": "facts"], facts.map { HTML.element("dt", text: $0.0) + .element("dd", $0.1) }))]
        let guardrails = trace.guardrails.isEmpty ? DashboardPage.empty("No guardrail fired.") : DashboardPage.table(
            ["Direction", "Check", "Action", "Category", "Count"],
            trace.guardrails.map { [HTML($0.direction.rawValue), HTML($0.check), HTML($0.action.rawValue), HTML($0.category), HTML(String($0.count))] },
            numericFrom: 4
        )
        body.append(Self.card("Guardrails", guardrails))
        if !trace.attempts.isEmpty {
            body.append(Self.card("Failed attempts", DashboardPage.table(
                ["Provider", "Model", "HTTP", "Error", "Latency"],
                trace.attempts.map { [HTML($0.provider), HTML($0.model ?? "—"), HTML($0.statusCode.map(String.init) ?? "—"), HTML($0.error), HTML(DashboardFormat.milliseconds($0.latencyMs))] },
                numericFrom: 4
            )))
        }
        body.append(.element(
            "div", ["class": "grid2"],
            Self.card("Request" + (trace.requestTruncated ? " (truncated)" : ""), .element("pre", text: Self.pretty(trace.request) ?? "(not stored)")),
            Self.card("Response" + (trace.responseTruncated ? " (truncated)" : ""), .element("pre", text: Self.pretty(trace.response) ?? "(not stored)"))
        ))
        return DashboardPage.response(title: "Trace", section: "/traces", body)
    }

    /// A token count, or a dash when the provider did not report it.
    static func tokens(_ value: Int?) -> String {
        value.map(DashboardFormat.count) ?? "—"
    }

    /// A JSON body indented for reading; other text as it is.
    static func pretty(_ text: String?) -> String? {
        guard let text, let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
              let result = String(data: pretty, encoding: .utf8)
        else { return text }
        return result
    }
}
