import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LoupeConfig
import LoupeCore
import LoupeSQLite
@testable import LoupeServer
import Testing

/// The dashboard's pages over a seeded SQLite store, through the real router.
@Suite struct DashboardControllerTests {
    func get(_ client: any TestClientProtocol, _ path: String, headers: HTTPFields = [:]) async throws -> (status: Int, body: String, headers: HTTPFields) {
        try await client.execute(uri: path, method: .get, headers: headers) { response in
            (Int(response.status.code), String(buffer: response.body), response.headers)
        }
    }

    @Test func overviewShowsSpendByModelAndLatestTraces() async throws {
        let now = Date()
        let traces = DashboardSeed.traces(now: now)
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, traces, now: now) }) { client in
            let page = try await get(client, "/?range=24h")
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            // Total spend is exact: 3 × 0.0012 + 2 × 0.00025.
            #expect(page.body.contains("$0.0041"))
            #expect(page.body.contains(">6<"))  // requests
            #expect(page.body.contains("gpt-4o-mini") && page.body.contains("claude-3-haiku"))
            // The latest traces link to their pages (the newest, the hostile one, first).
            for trace in traces {
                #expect(page.body.contains("/traces/\(trace.id)"))
            }
            #expect(!page.body.contains("<script"))
        }
    }

    @Test func theWeeksLatencyPercentilesAreThoseOfEveryCallAcrossProviders() async throws {
        let now = Date()
        // Two providers, each with its own latencies: the percentiles are those of all six calls together.
        var traces = DashboardSeed.traces(now: now).filter { $0.status == .ok }
        for index in traces.indices where index < 2 { traces[index].provider = "anthropic" }  // the faster, and the fewer
        var all = LatencyHistogram()
        for trace in traces { all.record(trace.latencyMs) }
        let (p50, p95, seeded) = (DashboardFormat.milliseconds(all.percentile(0.5)), DashboardFormat.milliseconds(all.percentile(0.95)), traces)
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, seeded, now: now) }) { client in
            let page = try await get(client, "/?range=7d")
            #expect(page.status == 200)
            #expect(page.body.contains(">\(p50)<") && page.body.contains(">\(p95)<"), "\(p50) \(p95)")
        }
    }

    @Test func evalRunsArePagedOlderByToken() async throws {
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, [], tracking: true) }) { client in
            let first = try await client.getJSON("/api/evals/runs?limit=1")
            #expect(first.status == 200)
            let newest = try #require(first.json?["data"]?.arrayValue?.first?["run_id"]?.stringValue)
            let token = try #require(first.json?["next_page_token"]?.stringValue)
            let second = try await client.getJSON("/api/evals/runs?limit=1&page_token=\(token)")
            let older = try #require(second.json?["data"]?.arrayValue?.first?["run_id"]?.stringValue)
            #expect(older != newest && second.json?["next_page_token"] == .null)
            let bad = try await client.getJSON("/api/evals/runs?page_token=not-a-token")
            #expect(bad.status == 400 && bad.json?["error"]?["param"] == .string("page_token"))
            // The dashboard lists both on its one page, with no link to an older one.
            let page = try await get(client, "/evals")
            #expect(page.body.contains(newest) && page.body.contains(older) && !page.body.contains("Older →"))
        }
    }

    @Test func costByModelShowsExactDollarsAndDownloadsCSV() async throws {
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, DashboardSeed.traces(now: Date())) }) { client in
            let page = try await get(client, "/cost?by=model&range=7d")
            #expect(page.status == 200)
            #expect(page.body.contains("<td>gpt-4o-mini</td><td class=\"num\">$0.0036</td>"))
            #expect(page.body.contains("<td>claude-3-haiku</td><td class=\"num\">$0.0005</td>"))
            #expect(page.body.contains("href=\"/cost.csv?by=model&amp;range=7d\""))

            let csv = try await get(client, "/cost.csv?by=model&range=7d")
            #expect(csv.status == 200)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.body.components(separatedBy: "\r\n")
            #expect(lines[0] == "model,cost_usd,requests,input_tokens,output_tokens,errors,p50_latency_ms,p95_latency_ms")
            #expect(lines[1].hasPrefix("gpt-4o-mini,0.0036,3,300,60,0,"))
            #expect(lines[2].hasPrefix("claude-3-haiku,0.0005,2,200,40,0,"))
            #expect(lines.contains { $0.hasPrefix("<script>alert(1)</script>,,1,100,20,1,") })

            let bad = try await get(client, "/cost?by=colour")
            #expect(bad.status == 400)
        }
    }

    @Test func traceListPagesByCursor() async throws {
        let now = Date()
        let traces = DashboardSeed.traces(now: now, filler: 50)
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, traces, now: now) }) { client in
            let first = try await get(client, "/traces")
            #expect(first.status == 200)
            #expect(first.body.components(separatedBy: "<a href=\"/traces/").count - 1 == 50)
            let next = try #require(first.body.range(of: #"href="(/traces\?cursor=[^"]+)" rel="next""#, options: .regularExpression))
            let link = String(first.body[next].dropFirst(6).prefix { $0 != "\"" })
            let second = try await get(client, link)
            #expect(second.status == 200)
            // 56 traces: the last six are the oldest fillers, and there is no further page.
            #expect(second.body.components(separatedBy: "<a href=\"/traces/").count - 1 == 6)
            #expect(!second.body.contains("rel=\"next\""))
            let oldest = try #require(traces.last)
            #expect(second.body.contains(oldest.id) && !first.body.contains(oldest.id))

            let filtered = try await get(client, "/traces?model=claude-3-haiku")
            #expect(filtered.body.components(separatedBy: "<a href=\"/traces/").count - 1 == 2)
        }
    }

    @Test func hostileValuesAreEscaped() async throws {
        let now = Date()
        let traces = DashboardSeed.traces(now: now)
        let hostile = traces[5]
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, traces, now: now) }) { client in
            let list = try await get(client, "/traces")
            #expect(list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!list.body.contains("<script"))
            let detail = try await get(client, "/traces/\(hostile.id)")
            #expect(detail.status == 200)
            #expect(detail.body.contains("&lt;script&gt;steal()&lt;/script&gt;"))
            #expect(!detail.body.contains("<script"))
            #expect(detail.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            let missing = try await get(client, "/traces/nope")
            #expect(missing.status == 404)
        }
    }

    @Test func traceDetailShowsTheCall() async throws {
        let now = Date()
        let traces = DashboardSeed.traces(now: now)
        let trace = traces[0]
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, traces, now: now) }) { client in
            let page = try await get(client, "/traces/\(trace.id)")
            #expect(page.body.contains("$0.0012"))
            #expect(page.body.contains("100 in · 20 out"))
            #expect(page.body.contains("href=\"/prompts/support/greeting\">support/greeting</a> version 2"))
            #expect(page.body.contains("<td>pii</td><td>redact</td><td>email</td>"))
            #expect(page.body.contains("&quot;Say hello&quot;"))  // the request body, escaped
        }
    }

    @Test func promptPageListsVersionsAndDiffs() async throws {
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, DashboardSeed.traces(now: Date())) }) { client in
            let list = try await get(client, "/prompts")
            #expect(list.body.contains("href=\"/prompts/support/greeting\""))
            #expect(list.body.contains("production → v2"))
            let diff = try await get(client, "/prompts/support/greeting?diff=1..2")
            #expect(diff.status == 200)
            #expect(diff.body.contains("<span class=\"del\">- Hello {{name}}.</span>"))
            #expect(diff.body.contains("<span class=\"add\">+ Hello {{name}}!</span>"))
            #expect(try await get(client, "/prompts/unknown").status == 404)
        }
    }

    @Test func trackingPagesShowRunsAndModels() async throws {
        try await withSeededRoutes(seed: { try await DashboardSeed.seed($0, DashboardSeed.traces(now: Date()), tracking: true) }) { client in
            let evals = try await get(client, "/evals")
            #expect(evals.status == 200)
            #expect(evals.body.components(separatedBy: "<td>support</td>").count - 1 == 2)
            let experiments = try await get(client, "/experiments")
            #expect(experiments.body.contains("fine-tune-sweep"))
            let models = try await get(client, "/models")
            #expect(models.body.contains("support-classifier") && models.body.contains("@champion → v2") && models.body.contains("Production"))
        }
    }

    @Test func withAuthOnPagesNeedTheSignInCookie() async throws {
        let master = "mk-0123456789abcdef0123456789abcdef"
        try await withSeededRoutes(configure: { $0.masterKey = master }, seed: { try await DashboardSeed.seed($0, DashboardSeed.traces(now: Date())) }) { client in
            let refused = try await get(client, "/cost")
            #expect(refused.status == 303 && refused.headers[.location] == "/login")
            let wrong = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "key=nope")) { $0 }
            #expect(wrong.status == .unauthorized)
            let signIn = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "key=\(master)")) { $0 }
            #expect(signIn.status == .seeOther)
            let cookie = try #require(signIn.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let page = try await get(client, "/cost", headers: [.cookie: "loupe_key=\(master)"])
            #expect(page.status == 200 && page.body.contains("$0.0036"))
        }
    }
}
