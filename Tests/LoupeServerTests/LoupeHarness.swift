import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LoupeConfig
import Logging
import LoupeCore
import LoupeServer
import LoupeSQLite
import LoupeTestSupport
import NIOCore
import NIOHTTP1
import Synchronization

/// A real Loupe on a real socket, in front of the fake upstream, storing to a real SQLite file.
struct LoupeHarness: Sendable {
    let port: Int
    let upstream: RunningFakeUpstream
    let http: HTTPClient

    /// A plain response: status, headers and the whole body as text.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var traceID: String? { headers.first(name: "x-loupe-trace-id") }
        var json: JSONValue? { JSONValue.parse(body) }
    }

    var baseURL: String { "http://localhost:\(port)" }

    func request(_ path: String, method: HTTPMethod = .POST, body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer sk-client-secret")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// A streamed chat request with extra headers, for tests that read the body as it arrives.
    func streamRequest(headers: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: chatBody(extra: #","stream":true"#)))
        return request
    }

    func get(_ path: String) async throws -> Reply {
        try await request(path, method: .GET)
    }

    /// Polls the query API until the trace is readable. Loupe writes it within about 50 ms (PERFORMANCE.md
    /// measures that); the generous wait keeps a loaded machine from failing the behaviour tests on speed.
    func trace(_ id: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let reply = try await get("/api/traces/\(id)")
            if reply.status == 200, let json = reply.json { return json }
            if ContinuousClock.now > deadline { throw HarnessError("trace \(id) was not readable within 10 s: \(reply.status) \(reply.body)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A chat request body with one user message.
func chatBody(model: String = "gpt-4o-mini", content: String = "Say hello to the test", extra: String = "") -> String {
    #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(content)"}]\#(extra)}"#
}

/// Runs `body` against a live Loupe and fake upstream; returns the SQLite store for checks after
/// graceful shutdown, when every queued trace has been written.
///
/// `relay: false` turns the relay off, so a call takes the routes' async path even when the relay could answer it.
/// `queueCapacity` bounds the trace queue between the request path and the writer.
@discardableResult
func withLoupe(
    relay: Bool = true,
    queueCapacity: Int = 65_536,
    logger: Logger = Logger(label: "loupe-test"),
    configure: @escaping @Sendable (inout LoupeConfiguration, RunningFakeUpstream) -> Void = { _, _ in },
    _ body: @escaping @Sendable (LoupeHarness) async throws -> Void
) async throws -> SQLiteTraceStore {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-test-\(UUID().uuidString)")
    let path = directory.appendingPathComponent("loupe.db").path
    try await FakeOpenAIUpstream.withRunning(.init(requiredAPIKey: "sk-provider")) { upstream in
        var configuration = LoupeConfiguration(
            store: .init(url: "sqlite:\(path)", spoolPath: directory.appendingPathComponent("traces.spool").path),
            providers: ["fake": .init(baseURL: upstream.baseURL, apiKey: "sk-provider", timeoutMs: 10_000)],
            models: ["fast": .init(provider: "fake", upstreamModel: "gpt-4o-mini")],
            defaultProvider: "fake"
        )
        configuration.server.relay = relay
        configure(&configuration, upstream)
        let app = try await buildApplication(configuration: configuration, queueCapacity: queueCapacity, logger: logger)
        try await app.test(.live) { client in
            // Enough connections for a burst to be concurrent: with AsyncHTTPClient's default of 8, requests
            // queue for a connection, and on a busy machine time out waiting (getConnectionFromPoolTimeout).
            var httpConfiguration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
            httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
            do {
                try await body(LoupeHarness(port: client.port!, upstream: upstream, http: http))
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }
    let store = try SQLiteTraceStore(path: path)
    try await store.migrate()
    return store
}

/// Messages logged during a test.
final class MessageLog: Sendable {
    private let messages = Mutex<[String]>([])
    func append(_ message: String) { messages.withLock { $0.append(message) } }
    var all: [String] { messages.withLock { $0 } }
}

/// A log handler that keeps messages, to check what Loupe warns about.
struct CapturingLogHandler: LogHandler {
    let log: MessageLog
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let details = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        log.append("\(event.level) \(event.message) \(details)")
    }
}

/// Runs `body` against Loupe's routes in process (no socket, no upstream) over a fresh SQLite store that `seed`
/// fills first, for query API tests that need traces the proxy does not make.
func withSeededRoutes(
    configure: @escaping @Sendable (inout LoupeConfiguration) -> Void = { _ in },
    seed: (SQLiteTraceStore) async throws -> Void,
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-routes-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("loupe.db").path
    let store = try SQLiteTraceStore(path: path)
    try await store.migrate()
    try await seed(store)
    var configuration = LoupeConfiguration(
        store: .init(url: "sqlite:\(path)", spoolPath: directory.appendingPathComponent("traces.spool").path)
    )
    configure(&configuration)
    let app = try await buildApplication(configuration: configuration, store: store, logger: Logger(label: "loupe-test"))
    try await app.test(.router, body)
}

extension TestClientProtocol {
    /// GETs `path`: the status and the body parsed as JSON (nil when it is not JSON).
    func getJSON(_ path: String) async throws -> (status: Int, json: JSONValue?, body: String) {
        try await execute(uri: path, method: .get) { response in
            (Int(response.status.code), JSONValue.parse(String(buffer: response.body)), String(buffer: response.body))
        }
    }
}
