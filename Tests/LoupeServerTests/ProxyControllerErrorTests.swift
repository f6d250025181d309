import AsyncHTTPClient
import Foundation
import LoupeConfig
import LoupeCore
import LoupeSQLite
import LoupeTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Bad input and broken upstreams: each gets an OpenAI-shaped error and a trace, and nothing stored is lost.
@Suite struct ProxyControllerErrorTests {
    func expectOpenAIError(_ reply: LoupeHarness.Reply, status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, sourceLocation: sourceLocation)
        #expect(reply.json?["error"]?["code"] == .string(code), "\(reply.body)", sourceLocation: sourceLocation)
        #expect(reply.json?["error"]?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(reply.json?["error"]?["type"]?.stringValue != nil, sourceLocation: sourceLocation)
        #expect(reply.traceID != nil, sourceLocation: sourceLocation)
    }

    @Test func badRequestsGetOpenAIErrorsAndTraces() async throws {
        let store = try await withLoupe { configuration, _ in
            configuration.server.maxBodyBytes = 4096
            configuration.defaultProvider = nil
            configuration.models["gpt-4o-mini"] = .init(provider: "fake")
        } _: { loupe in
            let good = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(good.status == 200)

            expectOpenAIError(try await loupe.request("/v1/chat/completions", body: #"{"model": "gpt-4o-mini", "messages": ["#), status: 400, code: "invalid_json")
            expectOpenAIError(try await loupe.request("/v1/chat/completions", body: #"{"messages": []}"#), status: 400, code: "missing_model")
            expectOpenAIError(try await loupe.request("/v1/chat/completions", body: chatBody(model: "")), status: 400, code: "missing_model")
            expectOpenAIError(try await loupe.request("/v1/chat/completions", body: #"{"model": "gpt-4o-mini", "stream": "yes"}"#), status: 400, code: "invalid_type")
            let unknown = try await loupe.request("/v1/chat/completions", body: chatBody(model: "gpt-9-imaginary"))
            expectOpenAIError(unknown, status: 404, code: "model_not_found")
            #expect(unknown.json?["error"]?["message"]?.stringValue?.contains("gpt-9-imaginary") == true)
            let huge = chatBody(content: String(repeating: "word ", count: 2000))
            expectOpenAIError(try await loupe.request("/v1/chat/completions", body: huge), status: 413, code: "request_too_large")
            expectOpenAIError(
                try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-loupe-metadata", "not json")]),
                status: 400, code: "invalid_metadata"
            )
            // The upstream saw only the one good request.
            #expect(loupe.upstream.requests().count == 1)
        }
        let traces = try await store.traces(matching: TraceQuery()).traces
        #expect(traces.count == 8)
        #expect(traces.filter { $0.status == .error }.map(\.statusCode).sorted() == [400, 400, 400, 400, 400, 404, 413])
        #expect(traces.filter { $0.status == .ok }.count == 1)
        #expect(try await store.integrityCheck() == "ok")
    }

    @Test(arguments: [true, false]) func upstreamErrorsPassThroughUnchanged(relay: Bool) async throws {
        try await withLoupe(relay: relay) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-fake-status", "429"), ("x-fake-retry-after", "7")])
            #expect(reply.status == 429)
            #expect(reply.headers.first(name: "retry-after") == "7")
            #expect(reply.json?["error"]?["message"] != nil)
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["status"] == .string("error"))
            #expect(trace["status_code"] == .number(429))
            #expect(trace["error"] == reply.json?["error"]?["message"])
            #expect(trace["cost_usd"] == .null)
        }
    }

    @Test(arguments: [true, false]) func unreachableUpstreamIs502(relay: Bool) async throws {
        try await withLoupe(relay: relay) { configuration, _ in
            // Port 9 (discard) is closed on loopback here: nothing listens.
            configuration.providers["down"] = .init(baseURL: "http://127.0.0.1:9/v1", timeoutMs: 1_000)
            configuration.models["down-model"] = .init(provider: "down")
        } _: { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(model: "down-model"))
            expectOpenAIError(reply, status: 502, code: "upstream_unreachable")
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["provider"] == .string("down"))
            #expect(trace["status_code"] == .number(502))
        }
    }

    @Test(arguments: [true, false]) func slowUpstreamIs504(relay: Bool) async throws {
        try await withLoupe(relay: relay) { configuration, upstream in
            configuration.providers["slow"] = .init(baseURL: upstream.baseURL, apiKey: "sk-provider", timeoutMs: 200)
            configuration.models["slow-model"] = .init(provider: "slow", upstreamModel: "gpt-4o-mini")
        } _: { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody(model: "slow-model"), headers: [("x-fake-delay-ms", "3000")])
            expectOpenAIError(reply, status: 504, code: "upstream_timeout")
            // The proxy stays healthy.
            #expect(try await loupe.request("/v1/chat/completions", body: chatBody()).status == 200)
        }
    }

    @Test(arguments: [true, false]) func streamCutUpstreamIsRecordedAsAnError(relay: Bool) async throws {
        let store = try await withLoupe(relay: relay) { loupe in
            let request = loupe.streamRequest(headers: [("x-fake-cut-after", "3")])
            let response = try await loupe.http.execute(request, timeout: .seconds(30))
            let traceID = try #require(response.headers.first(name: "x-loupe-trace-id"))
            var received = ""
            do {
                for try await chunk in response.body { received += String(buffer: chunk) }
                Issue.record("the client should see the stream break, as it would from the provider")
            } catch {}
            #expect(received.contains("data: "))
            #expect(!received.contains("[DONE]"))
            let trace = try await loupe.trace(traceID)
            #expect(trace["status"] == .string("error"))
            #expect(trace["error"]?.stringValue?.isEmpty == false)
            // The proxy stays healthy.
            #expect(try await loupe.request("/v1/chat/completions", body: chatBody()).status == 200)
        }
        #expect(try await store.count() == 2)
    }

    @Test(arguments: [true, false]) func clientDisconnectMidStreamIsRecordedAsCancelled(relay: Bool) async throws {
        let store = try await withLoupe(relay: relay) { loupe in
            let request = loupe.streamRequest(headers: [("x-fake-chunk-delay-ms", "300")])
            let traceID = try await Self.readFirstChunk(request, client: loupe.http)
            // Loupe learns of the disconnect only when its next chunk (300 ms on) fails to send; then it
            // drops the upstream call too, so the fake's stream breaks off instead of finishing.
            let deadline = ContinuousClock.now + .seconds(3)
            while loupe.upstream.streamOutcomes().broken == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(loupe.upstream.streamOutcomes() == { var outcome = StreamOutcomes(); outcome.broken = 1; return outcome }())
            // From there, the call is over and its trace is readable within the usual second.
            let trace = try await loupe.trace(traceID)
            #expect(trace["status"] == .string("cancelled"))
            #expect(trace["stream"] == .bool(true))
        }
        #expect(try await store.traces(matching: TraceQuery(status: .status(.cancelled))).traces.count == 1)
    }

    /// Reads the first chunk of a streamed response, then drops it: AsyncHTTPClient closes the connection.
    static func readFirstChunk(_ request: HTTPClientRequest, client: HTTPClient) async throws -> String {
        let response = try await client.execute(request, timeout: .seconds(30))
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
        return response.headers.first(name: "x-loupe-trace-id") ?? ""
    }

    @Test(arguments: [true, false]) func concurrentBurstRecordsEveryCall(relay: Bool) async throws {
        let calls = 200
        let store = try await withLoupe(relay: relay) { loupe in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<calls {
                    group.addTask {
                        let streaming = index % 2 == 0 ? #","stream":true"# : ""
                        return try await loupe.request("/v1/chat/completions", body: chatBody(extra: streaming)).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 })
        }
        #expect(try await store.count() == calls)
        let report = try await store.costReport(CostReportQuery(groupBy: .model))
        #expect(report.first?.requests == calls)
        #expect(report.first?.costUSD == Decimal(calls) * Decimal(string: "0.00000375")!)
    }
}
