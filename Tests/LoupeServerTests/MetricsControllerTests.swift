import Foundation
@testable import LoupeServer
import LoupeCore
import LoupeSQLite
import NIOHTTP1
import Synchronization
import Testing

@Suite struct MetricsControllerTests {
    @Test func metricsExportTheQueueAndSpoolBacklogForPrometheus() async throws {
        try await withLoupe { loupe in
            let metrics = try await loupe.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = metrics.body.split(separator: "\n").map(String.init)
            #expect(lines.contains("# TYPE loupe_trace_spool_backlog gauge"))
            #expect(lines.contains("loupe_trace_spool_backlog 0.0") || lines.contains("loupe_trace_spool_backlog 0"))
            #expect(lines.contains { $0.hasPrefix("loupe_trace_queue_depth ") })
        }
    }

    /// Real calls through a live Loupe and the fake upstream: 3 plain, 1 streamed, 1 the provider fails with a 500,
    /// and 1 with a body that is not JSON. Returns the scrape taken after them, and the traces as stored.
    static func scrapeAfterTraffic() async throws -> (scrape: String, traces: [Trace]) {
        let scrape = ScrapeBox()
        let store = try await withLoupe { loupe in
            for _ in 0..<3 {
                let reply = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-delay-ms", "40"), ("x-fake-cached-tokens", "2")])
                #expect(reply.status == 200)
            }
            let streamed = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#))
            #expect(streamed.status == 200)
            let failed = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-status", "500")])
            #expect(failed.status == 500)
            let malformed = try await loupe.request("/v1/chat/completions", body: "{not json")
            #expect(malformed.status == 400)
            scrape.value = try await loupe.get("/metrics").body
        }
        return (scrape.value, try await store.traces(matching: TraceQuery()).traces)
    }

    @Test func aScrapeAfterTrafficCountsEveryCallInValidFamilies() async throws {
        let (text, traces) = try await Self.scrapeAfterTraffic()
        #expect(traces.count == 6)
        let scrape = try PrometheusScrape(text)

        // Every family has HELP and TYPE, and every sample belongs to a declared family.
        for family in ["loupe_requests_total", "loupe_request_duration_seconds", "loupe_upstream_duration_seconds", "loupe_overhead_duration_seconds",
                       "loupe_tokens_total", "loupe_cost_usd_total", "loupe_errors_total", "loupe_trace_queue_depth", "loupe_trace_spool_backlog"] {
            #expect(scrape.help[family] != nil && scrape.type[family] != nil, "\(family)")
        }
        #expect(scrape.type["loupe_request_duration_seconds"] == "histogram" && scrape.type["loupe_requests_total"] == "counter")

        let model = ["model": "gpt-4o-mini", "provider": "fake"]
        let chat = model.merging(["endpoint": "/v1/chat/completions"]) { $1 }
        #expect(scrape.value("loupe_requests_total", chat.merging(["status": "ok"]) { $1 }) == 4)
        #expect(scrape.value("loupe_requests_total", chat.merging(["status": "error"]) { $1 }) == 1)
        #expect(scrape.value("loupe_requests_total", ["model": "none", "provider": "none", "endpoint": "/v1/chat/completions", "status": "error"]) == 1)
        #expect(scrape.sum("loupe_requests_total") == Double(traces.count))

        // Histograms: buckets never decrease, +Inf is the count, and the count is the calls made.
        for family in ["loupe_request_duration_seconds", "loupe_upstream_duration_seconds"] {
            let buckets = scrape.samples(family + "_bucket", model)
            let counts = buckets.sorted { $0.le < $1.le }.map(\.value)
            #expect(counts == counts.sorted(), "\(family) buckets are cumulative")
            #expect(buckets.first { $0.le == .infinity }?.value == scrape.value(family + "_count", model))
            #expect(scrape.value(family + "_count", model) == 5, "\(family): the forwarded calls")
        }
        // Three calls waited 40 ms upstream; Loupe's own time is the rest, and never more than the whole.
        #expect(try #require(scrape.value("loupe_upstream_duration_seconds_sum", model)) >= 0.12)
        #expect(scrape.value("loupe_overhead_duration_seconds_count", [:]) == 5)
        let total = try #require(scrape.value("loupe_request_duration_seconds_sum", model))
        let upstream = try #require(scrape.value("loupe_upstream_duration_seconds_sum", model))
        #expect(abs(total - upstream - (scrape.value("loupe_overhead_duration_seconds_sum", [:]) ?? -1)) < 0.001)

        // Tokens and cost equal what the traces hold.
        let stored = traces.filter { $0.model == "gpt-4o-mini" }
        let input = stored.compactMap(\.usage.inputTokens).reduce(0, +)
        #expect(input > 0)
        #expect(scrape.value("loupe_tokens_total", model.merging(["type": "input"]) { $1 }) == Double(input))
        #expect(scrape.value("loupe_tokens_total", model.merging(["type": "output"]) { $1 }) == Double(stored.compactMap(\.usage.outputTokens).reduce(0, +)))
        #expect(scrape.value("loupe_tokens_total", model.merging(["type": "cached_input"]) { $1 }) == 6)
        let cost = stored.compactMap(\.cost).reduce(Int64(0)) { $0 + $1.picos }
        #expect(cost > 0)
        #expect(abs((scrape.value("loupe_cost_usd_total", model) ?? 0) - Double(cost) / 1e12) < 1e-12)

        #expect(scrape.value("loupe_errors_total", ["type": "upstream_5xx"]) == 1)
        #expect(scrape.value("loupe_errors_total", ["type": "invalid_request"]) == 1)
        #expect(scrape.sum("loupe_errors_total") == 2)
        // No label could hold a user, key or trace id.
        #expect(Set(scrape.samples.flatMap(\.labels.keys)).isSubset(of: ["model", "provider", "endpoint", "status", "type", "le", "check", "action", "direction"]))
    }

    @Test func promtoolAcceptsTheScrape() async throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let promtool else {
            // Debian's `prometheus` package ships promtool; .ci/install-deps installs it.
            if ProcessInfo.processInfo.environment["LOUPE_REQUIRE_PROMTOOL"] == "1" {
                Issue.record("promtool is not installed (apt-get install prometheus) and LOUPE_REQUIRE_PROMTOOL=1")
            }
            return
        }
        let (text, _) = try await Self.scrapeAfterTraffic()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool check metrics: \(report)")
        #expect(report.isEmpty, "promtool lint: \(report)")
    }

    @Test func labelValuesAreCappedAndErrorTypesFixed() {
        let limiter = LabelLimiter(limit: 2)
        #expect([limiter.label("a"), limiter.label("b"), limiter.label("c"), limiter.label("a"), limiter.label(nil), limiter.label("")] == ["a", "b", "other", "a", "none", "none"])
        var trace = Trace(id: "t", createdAt: Date(), endpoint: "/v1/chat/completions", status: .error, statusCode: 200, latencyMs: 1)
        trace.stream = true
        #expect(LoupeMetrics.errorType(trace, errorCode: nil) == "stream_cut")
        #expect(LoupeMetrics.errorType(trace, errorCode: "budget_exceeded") == "budget_exceeded")
        #expect(LoupeMetrics.errorType(trace, errorCode: "something_new") == "other")
        trace.statusCode = 429
        #expect(LoupeMetrics.errorType(trace, errorCode: nil) == "upstream_4xx")
        trace.status = .cancelled
        #expect(LoupeMetrics.errorType(trace, errorCode: nil) == nil)
    }
}

/// The scrape taken inside `withLoupe`'s `@Sendable` body, read after it returns.
final class ScrapeBox: Sendable {
    private let text = Mutex<String>("")
    var value: String {
        get { text.withLock { $0 } }
        set { text.withLock { $0 = newValue } }
    }
}

/// A parsed Prometheus text exposition: HELP and TYPE per family, and every sample with its labels.
struct PrometheusScrape {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
        var le: Double { labels["le"].map { $0 == "+Inf" ? .infinity : Double($0) ?? .nan } ?? .nan }
    }

    var help: [String: String] = [:]
    var type: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n").map(String.init) where !line.isEmpty {
            if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                help[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                type[String(parts[0])] = String(parts[1])
            } else {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { throw HarnessError("bad sample line: \(line)") }
                let series = line[..<space]
                var labels: [String: String] = [:]
                var name = String(series)
                if let open = series.firstIndex(of: "{") {
                    name = String(series[..<open])
                    let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
                    // Label values here hold no quotes or commas, so a plain split reads them.
                    for pair in body.split(separator: ",") {
                        let kv = pair.split(separator: "=", maxSplits: 1)
                        labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
                    }
                }
                let family = ["_bucket", "_count", "_sum"].first { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) } ?? name
                guard type[family] != nil || type[name] != nil else { throw HarnessError("sample \(name) has no TYPE line before it") }
                samples.append(Sample(name: name, labels: labels, value: value))
            }
        }
    }

    /// Samples of `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String]) -> [Sample] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
    }

    /// The one sample of `name` with exactly `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    func sum(_ name: String) -> Double {
        samples.filter { $0.name == name }.reduce(0) { $0 + $1.value }
    }
}
