import Foundation
import LoupeCore
import LoupeSQLite
import NIOHTTP1
import Testing

@Suite struct TraceControllerTests {
    @Test func listFiltersPaginatesAndReports() async throws {
        try await withLoupe { loupe in
            for index in 0..<7 {
                let user = index < 4 ? "alice" : "bob"
                _ = try await loupe.request("/v1/chat/completions", body: chatBody(model: index % 2 == 0 ? "gpt-4o-mini" : "fast"), headers: [("x-loupe-user", user), ("x-loupe-tags", "batch-\(index % 3)")])
            }
            let last = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-status", "500")])
            // The writer stores traces in order, so once the last is readable the others are too.
            _ = try await loupe.trace(try #require(last.headers.first(name: "x-loupe-trace-id")))

            var ids: [String] = []
            var path = "/api/traces?limit=3"
            while true {
                let page = try await loupe.get(path)
                #expect(page.status == 200)
                guard case .array(let items)? = page.json?["data"] else { Issue.record(Comment(rawValue: page.body)); return }
                #expect(items.count <= 3)
                ids += items.compactMap { $0["id"]?.stringValue }
                guard let next = page.json?["next_cursor"]?.stringValue else {
                    #expect(page.json?["next_cursor"] == .null)
                    break
                }
                path = "/api/traces?limit=3&cursor=\(next)"
            }
            #expect(ids.count == 8)
            #expect(ids == ids.sorted(by: >))  // UUIDv7: newest first

            func count(_ query: String) async throws -> Int {
                guard case .array(let items)? = try await loupe.get("/api/traces?\(query)").json?["data"] else { return -1 }
                return items.count
            }
            #expect(try await count("user=alice") == 4)
            #expect(try await count("model=fast") == 3)
            #expect(try await count("tag=batch-0") == 3)
            #expect(try await count("status=error") == 1)
            #expect(try await count("status=5xx") == 1)
            #expect(try await count("provider=fake&user=bob") == 3)
            #expect(try await count("since=1h") == 8)
            #expect(try await count("until=2000-01-01") == 0)

            let report = try await loupe.get("/api/reports/cost?group_by=user")
            #expect(report.status == 200)
            guard case .array(let rows)? = report.json?["data"] else { Issue.record(Comment(rawValue: report.body)); return }
            let alice = try #require(rows.first { $0["user"] == .string("alice") })
            #expect(alice["requests"] == .number(4))
            #expect(alice["input_tokens"] == .number(20))
            #expect(alice["cost_usd"] == .number(0.000015))
            #expect(alice["p50_latency_ms"]?.stringValue == nil && alice["p50_latency_ms"] != .null)
            let errors = rows.compactMap { row -> Double? in if case .number(let n)? = row["errors"] { return n } else { return nil } }
            #expect(errors.reduce(0, +) == 1)
            let byModel = try await loupe.get("/api/reports/cost?group_by=model")
            #expect(byModel.body.contains(#""model":"fast""#))
        }
    }

    @Test func listFiltersByVariantParentAndCacheHit() async throws {
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        func trace(_ second: Double, model: String, variant: String? = nil, parent: String? = nil, cacheHit: Bool = false) -> Trace {
            let created = base.addingTimeInterval(second)
            var trace = Trace(id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", model: model)
            trace.variant = variant
            trace.parentTraceID = parent
            trace.cacheHit = cacheHit
            return trace
        }
        let champion = trace(0, model: "gpt-4o-mini", variant: "champion")
        let challenger = trace(1, model: "fast", variant: "challenger")
        let shadow = trace(2, model: "fast", variant: "shadow", parent: champion.id)
        let cached = trace(3, model: "gpt-4o-mini", cacheHit: true)
        try await withSeededRoutes(seed: { try await $0.insert([champion, challenger, shadow, cached]) }) { client in
            func ids(_ query: String) async throws -> [String] {
                let reply = try await client.getJSON("/api/traces?\(query)")
                #expect(reply.status == 200, "\(query): \(reply.body)")
                return reply.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            }
            #expect(try await ids("variant=challenger") == [challenger.id])
            #expect(try await ids("variant=shadow&model=fast") == [shadow.id])
            #expect(try await ids("parent_trace_id=\(champion.id)") == [shadow.id])
            #expect(try await ids("cache_hit=true") == [cached.id])
            #expect(try await ids("cache_hit=false") == [shadow.id, challenger.id, champion.id])
            let shown = try await client.getJSON("/api/traces?variant=shadow")
            let item = try #require(shown.json?["data"]?.arrayValue?.first)
            #expect(item["parent_trace_id"] == .string(champion.id) && item["cache_hit"] == .bool(false))

            let bad = try await client.getJSON("/api/traces?cache_hit=yes")
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?["code"] == .string("invalid_parameter"))
            #expect(bad.json?["error"]?["param"] == .string("cache_hit"))
            #expect(bad.json?["error"]?["type"] == .string("invalid_request_error"))
            #expect(bad.json?["error"]?["message"]?.stringValue?.contains("true or false") == true)
        }
    }

    @Test func badQueriesAreClearErrors() async throws {
        try await withLoupe { loupe in
            for path in ["/api/traces?limit=5000", "/api/traces?status=weird", "/api/traces?since=yesterday-ish", "/api/traces?cursor=zzz", "/api/traces?cache_hit=maybe", "/api/reports/cost?group_by=color"] {
                let reply = try await loupe.get(path)
                #expect(reply.status == 400, "\(path)")
                #expect(reply.json?["error"]?["param"]?.stringValue != nil, "\(path): \(reply.body)")
            }
            let missing = try await loupe.get("/api/traces/0190aaaa-0000-7000-8000-000000000000")
            #expect(missing.status == 404)
            #expect(missing.json?["error"]?["code"] == .string("trace_not_found"))
        }
    }
}
