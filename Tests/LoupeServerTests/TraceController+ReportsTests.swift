import Foundation
import HTTPTypes
import HummingbirdTesting
import LoupeCore
import LoupeServer
import LoupeSQLite
import NIOCore
import Testing

/// `GET /api/reports/usage`, `/api/reports/latency`, and `?format=csv` on every report, over a seeded store.
@Suite struct TraceControllerReportsTests {
    static let monday = Date(timeIntervalSince1970: 1_789_948_800)  // 2026-09-21 00:00 UTC, a Monday

    static func trace(_ hours: Double, model: String, latency: Double, cost: String?, status: TraceStatus = .ok, tags: [String] = []) -> Trace {
        let created = monday.addingTimeInterval(hours * 3_600)
        return Trace(
            id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", provider: "openai", model: model,
            status: status, statusCode: status == .ok ? 200 : 502, latencyMs: latency,
            usage: TokenUsage(inputTokens: 10, outputTokens: 5), cost: cost.flatMap(USD.init), tags: tags
        )
    }

    /// Monday 01:10, 01:50 (failed, unpriced) and 03:05; Tuesday 10:00; and the next Monday at noon.
    static let traces: [Trace] = [
        trace(1 + 10 / 60, model: "gpt-4o", latency: 100, cost: "0.001", tags: ["a,b"]),
        trace(1 + 50 / 60, model: "gpt-4o", latency: 300, cost: nil, status: .error),
        trace(3 + 5 / 60, model: "mini", latency: 50, cost: "0.0002"),
        trace(24 + 10, model: "mini", latency: 70, cost: "0.0002"),
        trace(7 * 24 + 12, model: "gpt-4o", latency: 200, cost: "0.003"),
    ]

    static func seed(_ store: SQLiteTraceStore) async throws {
        try await store.insert(traces)
    }

    @Test func dailyTotalsComeFromTheRollups() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let reply = try await client.getJSON("/api/reports/usage?since=2026-09-21&until=2026-09-23")
            #expect(reply.status == 200, "\(reply.body)")
            let json = try #require(reply.json)
            #expect(json["granularity"] == "day" && json["group_by"] == .null)
            #expect(json["since"] == "2026-09-21T00:00:00.000Z" && json["until"] == "2026-09-23T00:00:00.000Z")
            let data = try #require(json["data"]?.arrayValue)
            #expect(data.map { $0["start"] } == ["2026-09-21T00:00:00.000Z", "2026-09-22T00:00:00.000Z"])
            #expect(data.map { $0["requests"] } == [3, 1])
            #expect(data.map { $0["errors"] } == [1, 0])
            #expect(data.map { $0["input_tokens"] } == [30, 10] && data.map { $0["output_tokens"] } == [15, 5])
            #expect(reply.body.contains(#""cost_usd":0.0012"#) && reply.body.contains(#""cost_usd":0.0002"#))
        }
    }

    @Test func weeksStartOnMondayAndGroupByModel() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            // A Wednesday-to-Wednesday window widens to the two whole weeks it touches.
            let reply = try await client.getJSON("/api/reports/usage?granularity=week&group_by=model&since=2026-09-23&until=2026-09-30")
            #expect(reply.status == 200, "\(reply.body)")
            let data = try #require(reply.json?["data"]?.arrayValue)
            #expect(data.map { $0["start"] } == ["2026-09-21T00:00:00.000Z", "2026-09-21T00:00:00.000Z", "2026-09-28T00:00:00.000Z"])
            #expect(data.map { $0["model"] } == ["gpt-4o", "mini", "gpt-4o"])
            #expect(data.map { $0["requests"] } == [2, 2, 1])
            #expect(data.map { $0["cost_usd"] } == [.number(0.001), .number(0.0004), .number(0.003)])
        }
    }

    @Test func hoursComeFromTheTracesWithEmptyHoursAsZero() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let reply = try await client.getJSON("/api/reports/usage?granularity=hour&since=2026-09-21T00:00:00Z&until=2026-09-21T04:00:00Z")
            #expect(reply.status == 200, "\(reply.body)")
            let data = try #require(reply.json?["data"]?.arrayValue)
            #expect(data.map { $0["requests"] } == [0, 2, 0, 1])
            #expect(data.map { $0["errors"] } == [0, 1, 0, 0])
            #expect(data.map { $0["cost_usd"] } == [.null, .number(0.001), .null, .number(0.0002)])
            #expect(data[1]["start"] == "2026-09-21T01:00:00.000Z")

            let tags = try await client.getJSON("/api/reports/usage?granularity=hour&group_by=tag&since=2026-09-21T01:00:00Z&until=2026-09-21T02:00:00Z")
            #expect(tags.json?["data"]?.arrayValue?.map { $0["tag"] } == [.null, "a,b"])
        }
    }

    @Test func badUsageParametersAre400sThatSayWhatToDo() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let long = try await client.getJSON("/api/reports/usage?granularity=hour&since=2026-08-01&until=2026-09-21")
            #expect(long.status == 400)
            #expect(long.json?["error"]?["param"] == "granularity" && long.json?["error"]?["code"] == "invalid_parameter")
            #expect(long.json?["error"]?["message"]?.stringValue?.contains("at most 31 days") == true)
            let granularity = try await client.getJSON("/api/reports/usage?granularity=minute")
            #expect(granularity.status == 400 && granularity.json?["error"]?["param"] == "granularity")
            let day = try await client.getJSON("/api/reports/usage?group_by=day")
            #expect(day.status == 400 && day.json?["error"]?["message"]?.stringValue?.contains("granularity=day") == true)
            let backwards = try await client.getJSON("/api/reports/usage?since=2026-09-22&until=2026-09-21")
            #expect(backwards.status == 400 && backwards.json?["error"]?["param"] == "since")
        }
    }

    @Test func latencyPercentilesByModel() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let reply = try await client.getJSON("/api/reports/latency?since=2026-09-21&until=2026-10-01")
            #expect(reply.status == 200, "\(reply.body)")
            let data = try #require(reply.json?["data"]?.arrayValue)
            #expect(data.map { $0["model"] } == ["gpt-4o", "mini"])
            #expect(data.map { $0["requests"] } == [3, 2])
            func ms(_ row: Int, _ name: String) -> Double {
                if case .number(let value)? = data[row][name] { return value }
                return -1
            }
            // Histogram percentiles are within 1% of the nearest-rank value.
            #expect(abs(ms(0, "p50_latency_ms") - 200) <= 2 && abs(ms(0, "p90_latency_ms") - 300) <= 3)
            #expect(abs(ms(0, "p95_latency_ms") - 300) <= 3 && abs(ms(0, "p99_latency_ms") - 300) <= 3)
            #expect(abs(ms(1, "p50_latency_ms") - 50) <= 0.5 && abs(ms(1, "p99_latency_ms") - 70) <= 0.7)
            // A window inside one day is read from the traces themselves.
            let partial = try await client.getJSON("/api/reports/latency?group_by=provider&since=2026-09-21T01:00:00Z&until=2026-09-21T02:00:00Z")
            #expect(partial.json?["data"]?.arrayValue?.map { $0["provider"] } == ["openai"])
            #expect(partial.json?["data"]?.arrayValue?.first?["requests"] == 2)
        }
    }

    /// GETs `path` and returns status, content type, content disposition and body.
    static func csv(_ client: any TestClientProtocol, _ path: String) async throws -> (status: Int, type: String?, disposition: String?, body: String) {
        try await client.execute(uri: path, method: .get) { response in
            (Int(response.status.code), response.headers[.contentType], response.headers[.contentDisposition], String(buffer: response.body))
        }
    }

    @Test func everyReportExportsCSV() async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let usage = try await Self.csv(client, "/api/reports/usage?group_by=tag&since=2026-09-21&until=2026-09-22&format=csv")
            #expect(usage.status == 200 && usage.type == "text/csv; charset=utf-8")
            #expect(usage.disposition == #"attachment; filename="loupe-usage.csv""#)
            #expect(usage.body == "start,tag,requests,errors,input_tokens,output_tokens,cost_usd\r\n"
                + "2026-09-21T00:00:00.000Z,,2,1,20,10,0.0002\r\n"
                + "2026-09-21T00:00:00.000Z,\"a,b\",1,0,10,5,0.001\r\n")

            let cost = try await Self.csv(client, "/api/reports/cost?group_by=model&since=2026-09-21&until=2026-09-22&format=csv")
            #expect(cost.disposition == #"attachment; filename="loupe-cost.csv""#)
            let costLines = cost.body.components(separatedBy: "\r\n")
            #expect(costLines[0] == "model,requests,input_tokens,output_tokens,cost_usd,errors,p50_latency_ms,p95_latency_ms")
            #expect(costLines[1].hasPrefix("gpt-4o,2,20,10,0.001,1,") && costLines[2].hasPrefix("mini,1,10,5,0.0002,0,"))

            let latency = try await Self.csv(client, "/api/reports/latency?format=csv")
            #expect(latency.disposition == #"attachment; filename="loupe-latency.csv""#)
            #expect(latency.body.hasPrefix("model,requests,p50_latency_ms,p90_latency_ms,p95_latency_ms,p99_latency_ms\r\ngpt-4o,3,"))

            let compare = try await Self.csv(client, "/api/reports/compare?a=gpt-4o&b=mini&format=csv")
            #expect(compare.disposition == #"attachment; filename="loupe-compare.csv""#)
            let compareLines = compare.body.components(separatedBy: "\r\n")
            #expect(compareLines.count == 4 && compareLines[3] == "")
            #expect(compareLines[1].hasPrefix("a,gpt-4o,3,1,") && compareLines[2].hasPrefix("b,mini,2,0,"))

            let guardrails = try await Self.csv(client, "/api/reports/guardrails?format=csv")
            #expect(guardrails.status == 200 && guardrails.body == "direction,check,action,category,calls,hits\r\n")
            #expect(guardrails.disposition == #"attachment; filename="loupe-guardrails.csv""#)
        }
    }

    @Test(arguments: ["/api/reports/usage", "/api/reports/latency", "/api/reports/cost", "/api/reports/guardrails", "/api/reports/compare?a=x&b=y"])
    func anUnknownFormatIsA400(_ path: String) async throws {
        try await withSeededRoutes(seed: Self.seed) { client in
            let reply = try await client.getJSON(path + (path.contains("?") ? "&" : "?") + "format=xml")
            #expect(reply.status == 400)
            #expect(reply.json?["error"]?["param"] == "format" && reply.json?["error"]?["code"] == "invalid_parameter")
            #expect(reply.json?["error"]?["message"] == "format must be json or csv, not 'xml'.")
        }
    }
}
