import Foundation
import Synchronization
import LoupeConfig
import LoupeCore
import LoupeGuardrails
import LoupeServer
import LoupeSQLite
import LoupeTestSupport
import NIOHTTP1
import Testing

/// The relay answers plain `/v1` calls on the event loop: what it takes, what it leaves to the routes, and how it
/// behaves on the wire (order of pipelined answers, pooled provider connections, clients that leave).
@Suite struct RelayTests {
    /// `loupe_relayed_requests_total` from a scrape of `/metrics`.
    func relayedCount(_ loupe: LoupeHarness) async throws -> Int {
        let master = [("authorization", "Bearer \(GatewayTests.master)")]
        let metrics = try await loupe.request("/metrics", method: .GET, headers: master).body
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("loupe_relayed_requests_total ") }
        return try #require(line.flatMap { Double($0.split(separator: " ")[1]) }.map { Int($0) })
    }

    @Test func plainCallsAreRelayedAndTheRestTakeTheRoutes() async throws {
        try await withLoupe { configuration, _ in
            configuration.models["guarded"] = .init(provider: "fake", upstreamModel: "gpt-4o-mini")
            configuration.guardrails.models["guarded"] = "strict"
            configuration.guardrails.policies["strict"] = .init(input: [.init(check: "secrets", action: .block)])
        } _: { loupe in
            #expect(try await relayedCount(loupe) == 0)
            let plain = try await loupe.request("/v1/chat/completions", body: chatBody())
            let streamed = try await loupe.request("/v1/chat/completions", body: chatBody(extra: #","stream":true"#))
            let embedded = try await loupe.request("/v1/embeddings", body: #"{"model":"text-embedding-3-small","input":"two words"}"#)
            #expect([plain.status, streamed.status, embedded.status] == [200, 200, 200] as [Int])
            #expect(try await relayedCount(loupe) == 3)

            // Each of these needs the routes: the cache, a guardrail policy, a prompt, a body that is not JSON, a
            // connection the client closes after the answer.
            let cached = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("x-loupe-cache", "true")])
            let guarded = try await loupe.request("/v1/chat/completions", body: chatBody(model: "guarded"))
            let prompted = try await loupe.request("/v1/chat/completions", body: #"{"model":"gpt-4o-mini","prompt":{"name":"missing"}}"#)
            let broken = try await loupe.request("/v1/chat/completions", body: "{bad")
            let closing = try await loupe.request("/v1/chat/completions", body: chatBody(), headers: [("connection", "close")])
            #expect([cached.status, guarded.status, prompted.status, broken.status, closing.status] == [200, 200, 404, 400, 200] as [Int])
            #expect(try await relayedCount(loupe) == 3)

            // Relayed or not, every call has its trace, priced the same way.
            let relayedTrace = try await loupe.trace(try #require(plain.traceID))
            let routedTrace = try await loupe.trace(try #require(cached.traceID))
            #expect(relayedTrace["cost_usd"] == routedTrace["cost_usd"])
            #expect(relayedTrace["input_tokens"] == routedTrace["input_tokens"])
            #expect(plain.headers.first(name: "x-loupe-cost-usd") == cached.headers.first(name: "x-loupe-cost-usd"))
        }
    }

    @Test func withAuthOnTheKeyAndItsLimitsAreCheckedAndTheCallRelayed() async throws {
        _ = try await GatewayTests.withAuth { loupe in
            let (id, secret) = try await GatewayTests.createKey(loupe, #"{"name": "relayed", "rpm": 1}"#)
            let ok = try await GatewayTests.call(loupe, key: secret)
            #expect(ok.status == 200)
            #expect(loupe.upstream.requests().last?.headers["authorization"] == "Bearer sk-provider")
            let limited = try await GatewayTests.call(loupe, key: secret)
            #expect(limited.status == 429 && limited.json?["error"]?["code"] == .string("rate_limit_exceeded"))
            #expect(limited.headers.first(name: "retry-after") != nil)
            #expect(try await relayedCount(loupe) == 2)
            for reply in [ok, limited] {
                let trace = try await GatewayTests.trace(loupe, try #require(reply.traceID))
                #expect(trace["key_id"] == .string(id) && trace["key_name"] == .string("relayed"))
            }
            // A key that does not check out is answered by the routes, as every refusal of a key is.
            let wrong = try await GatewayTests.call(loupe, key: "lk-not-a-key-at-all")
            #expect(wrong.status == 401 && wrong.json?["error"]?["code"] == .string("invalid_api_key"))
            #expect(try await relayedCount(loupe) == 2)
            #expect(loupe.upstream.requests().count == 1)
        }
    }

    @Test func aPlanWithRetriesAndAFallbackIsRelayed() async throws {
        try await ProxyControllerForwardingTests.withFallback(primary: { ProxyControllerForwardingTests.controlled($0, "status/503") }) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(reply.status == 200)
            let trace = try await loupe.trace(try #require(reply.traceID))
            #expect(trace["provider"] == .string("fake"))
            guard case .array(let attempts)? = trace["attempts"] else { Issue.record("no attempts in \(trace)"); return }
            #expect(attempts.map { $0["status_code"] } == [.number(503), .number(503)])
            #expect(try await relayedCount(loupe) == 1)
        }
    }

    @Test func turnedOffEveryCallTakesTheRoutes() async throws {
        try await withLoupe(relay: false) { loupe in
            let reply = try await loupe.request("/v1/chat/completions", body: chatBody())
            #expect(reply.status == 200)
            #expect(try await relayedCount(loupe) == 0)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withLoupe { loupe in
            // Relayed, routed, relayed, routed: written at once, before any answer.
            let slow = rawPost("/v1/chat/completions", body: chatBody(content: "first"), headers: ["x-fake-delay-ms: 200"])
            let health = "GET /healthz HTTP/1.1\r\nHost: loupe\r\n\r\n"
            let quick = rawPost("/v1/chat/completions", body: chatBody(content: "third"))
            let models = "GET /v1/models HTTP/1.1\r\nHost: loupe\r\n\r\n"
            let answers = try await rawExchange(port: loupe.port, [(slow + health + quick + models, 4)])
            #expect(answers.map(\.status) == [200, 200, 200, 200] as [Int])
            #expect(answers[0].headers["x-loupe-trace-id"] != nil)
            #expect(answers[1].body.contains(#""status":"ok""#))
            #expect(answers[2].headers["x-loupe-trace-id"] != nil)
            #expect(answers[3].body.contains(#""object":"list""#))
            let first = try await loupe.trace(try #require(answers[0].headers["x-loupe-trace-id"]))
            let third = try await loupe.trace(try #require(answers[2].headers["x-loupe-trace-id"]))
            #expect(first["request"]?["messages"]?[0]?["content"] == .string("first"))
            #expect(third["request"]?["messages"]?[0]?["content"] == .string("third"))
            // The third came while the routes still owed the health check's answer, so the routes answered it too.
            #expect(try await relayedCount(loupe) == 1)
        }
    }

    @Test func aFullTraceQueueHoldsBackTheNextCallAndLosesNoTrace() async throws {
        let count = 12
        let store = try await withLoupe(queueCapacity: 1) { loupe in
            // Written at once on one connection. With room for one trace, most answers find the queue full: the
            // connection's next call waits until the writer takes a trace, and every call is still answered.
            let call = rawPost("/v1/chat/completions", body: chatBody())
            let answers = try await rawExchange(port: loupe.port, [(String(repeating: call, count: count), count)])
            #expect(answers.map(\.status) == Array(repeating: 200, count: count))
            #expect(Set(answers.compactMap { $0.headers["x-loupe-trace-id"] }).count == count)
            #expect(try await relayedCount(loupe) == count)
        }
        #expect(try await store.count() == count)
    }

    @Test func providerConnectionsAreKeptAndReused() async throws {
        let counting = try await CountingUpstream.start()
        try await withLoupe { configuration, _ in
            configuration.providers["counting"] = .init(baseURL: counting.baseURL, timeoutMs: 10_000)
            configuration.models["counted"] = .init(provider: "counting")
        } _: { loupe in
            let call = rawPost("/v1/chat/completions", body: chatBody(model: "counted"))
            let answers = try await rawExchange(port: loupe.port, Array(repeating: (call, 1), count: 5))
            #expect(answers.map(\.status) == Array(repeating: 200, count: 5))
            #expect(answers.allSatisfy { $0.body == CountingUpstream.answer })
        }
        #expect(counting.requests == 5)
        #expect(counting.connections == 1)
        try await counting.stop()
    }

    @Test(arguments: [true, false]) func anHTTPSProviderWithItsOwnCAIsTrustedThroughCAFile(relay: Bool) async throws {
        let counting = try await CountingUpstream.start(tls: true)
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-test-ca-\(UUID().uuidString).pem").path
        try TestCertificate.certificatePEM.write(toFile: caFile, atomically: true, encoding: .utf8)
        try await withLoupe(relay: relay) { configuration, _ in
            configuration.providers["private"] = .init(baseURL: counting.httpsBaseURL, timeoutMs: 10_000, caFile: caFile)
            configuration.providers["untrusted"] = .init(baseURL: counting.httpsBaseURL, timeoutMs: 10_000)
            configuration.models["counted"] = .init(provider: "private")
            configuration.models["unchecked"] = .init(provider: "untrusted")
        } _: { loupe in
            let trusted = try await loupe.request("/v1/chat/completions", body: chatBody(model: "counted"))
            #expect(trusted.status == 200 && trusted.body == CountingUpstream.answer)
            let trace = try await loupe.trace(try #require(trusted.traceID))
            #expect(trace["status"] == .string("ok") && trace["output_tokens"] == .number(1))
            // The same server without the CA: the certificate is refused, the call never sent.
            let refused = try await loupe.request("/v1/chat/completions", body: chatBody(model: "unchecked"))
            #expect(refused.status == 502 && refused.json?["error"]?["code"] == .string("upstream_unreachable"), "\(refused.body)")
            #expect(try await relayedCount(loupe) == (relay ? 2 : 0))
        }
        #expect(counting.requests == 1)
        try await counting.stop()
        try? FileManager.default.removeItem(atPath: caFile)
    }

    @Test func aCAFileThatCannotBeUsedStopsTheStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let caFile = directory.appendingPathComponent("ca.pem").path
        try "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n".write(toFile: caFile, atomically: true, encoding: .utf8)
        let configuration = LoupeConfiguration(
            store: .init(url: "sqlite:\(directory.appendingPathComponent("loupe.db").path)"),
            providers: ["private": .init(baseURL: "https://llm.internal/v1", caFile: caFile)], defaultProvider: "private"
        )
        let failure = await #expect(throws: ConfigError.self) { _ = try await buildApplication(configuration: configuration) }
        #expect(failure?.key == "providers.private.ca_file")
    }

    @Test func aCallSentOnAConnectionTheProviderClosedIsSentAgainOnANewOne() async throws {
        let counting = try await CountingUpstream.start(requestsPerConnection: 1)
        try await withLoupe { configuration, _ in
            configuration.providers["counting"] = .init(baseURL: counting.baseURL, timeoutMs: 10_000)
            configuration.models["counted"] = .init(provider: "counting")
        } _: { loupe in
            let call = rawPost("/v1/chat/completions", body: chatBody(model: "counted"))
            let answers = try await rawExchange(port: loupe.port, [(call, 1), (call, 1), (call, 1)])
            #expect(answers.map(\.status) == [200, 200, 200] as [Int])
            for answer in answers {
                let trace = try await loupe.trace(try #require(answer.headers["x-loupe-trace-id"]))
                #expect(trace["status"] == .string("ok"))
            }
        }
        // Each connection carried one answer and saw a second request that it refused by closing.
        #expect(counting.connections == 3)
        #expect(counting.requests == 5)
        try await counting.stop()
    }

    @Test func aStreamInFlightAtShutdownIsFinishedAndRecorded() async throws {
        let stream = Mutex<Task<String, any Error>?>(nil)
        let store = try await withLoupe { loupe in
            let (started, signal) = AsyncStream.makeStream(of: Void.self)
            let request = rawPost("/v1/chat/completions", body: chatBody(extra: #","stream":true"#), headers: ["x-fake-chunk-delay-ms: 100"])
            stream.withLock { $0 = Task { try await rawStream(port: loupe.port, request) { signal.yield() } } }
            // Shut the server down as soon as the stream has begun.
            for await _ in started { break }
        }
        let received = try await #require(stream.withLock { $0 }).value
        #expect(received.contains("data: [DONE]"))
        #expect(received.hasSuffix("\r\n0\r\n\r\n"))
        let traces = try await store.traces(matching: TraceQuery()).traces
        #expect(traces.count == 1)
        #expect(traces.first?.status == .ok && traces.first?.stream == true)
        #expect(traces.first?.usage.outputTokens != nil)
    }

    @Test func aClientThatLeavesBeforeTheAnswerCancelsTheCall() async throws {
        let store = try await withLoupe { loupe in
            let call = rawPost("/v1/chat/completions", body: chatBody(), headers: ["x-fake-delay-ms: 1000"])
            _ = try await rawExchange(port: loupe.port, [(call, 0)])
            // The server reads the call after the client has gone: wait until it has.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await relayedCount(loupe) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await relayedCount(loupe) == 1)
        }
        let traces = try await store.traces(matching: TraceQuery()).traces
        #expect(traces.count == 1)
        #expect(traces.first?.status == .cancelled)
        #expect(traces.first?.error?.contains("disconnected") == true)
    }
}
