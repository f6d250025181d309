import AsyncHTTPClient
import Foundation
import LoupeCore
import NIOCore
import NIOHTTP1

/// A `loupe serve` process in front of a fake upstream process, with its own folder and config.
struct LoupeInstance: Sendable {
    let process: ChildProcess
    let port: Int
    let folder: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Writes a config naming `storeURL` and the upstream, starts `loupe serve` (with `environment` added to
    /// the test's, such as `LOUPE_MASTER_KEY`), and waits until it answers.
    static func start(storeURL: String, upstreamPort: Int, folder: URL, environment: [String: String] = [:], http: HTTPClient) async throws -> LoupeInstance {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let port = ChildProcess.freePort()
        let config = """
            server: { host: 127.0.0.1, port: \(port) }
            store: { url: "\(storeURL)", spool: "\(folder.path)/traces.spool" }
            providers:
              fake: { type: openai, base_url: "http://127.0.0.1:\(upstreamPort)/v1", api_key: sk-provider }
            default_provider: fake
            """
        try config.write(to: folder.appendingPathComponent("loupe.yaml"), atomically: true, encoding: .utf8)
        let process = try ChildProcess("loupe", ["serve", "--config", "loupe.yaml", "--log-level", "notice"], environment: environment, directory: folder)
        let instance = LoupeInstance(process: process, port: port, folder: folder)
        try await waitUntilAnswering(instance.baseURL + "/healthz", http: http, process: process)
        return instance
    }

    /// The JSON body of a GET.
    func get(_ path: String, http: HTTPClient) async throws -> JSONValue {
        let response = try await http.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard response.status == .ok, let json = JSONValue.parse(String(buffer: body)) else {
            throw ProcessFailure(description: "GET \(path): \(response.status) \(String(buffer: body))")
        }
        return json
    }

    /// Sends a JSON body; returns the status and the JSON answer.
    func send(_ path: String, _ body: String, method: HTTPMethod = .POST, http: HTTPClient) async throws -> (Int, JSONValue?) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return (Int(response.status.code), JSONValue.parse(String(buffer: answer)))
    }

    /// Every stored trace id, read page by page through the query API.
    func allTraceIDs(http: HTTPClient) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await get("/api/traces?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""), http: http)
            guard case .array(let traces)? = page["data"] else { throw ProcessFailure(description: "no data in \(page)") }
            ids += traces.compactMap { $0["id"]?.stringValue }
            cursor = page["next_cursor"]?.stringValue
        } while cursor != nil
        return ids
    }

    /// The readiness answer, whether ready (200) or not (503).
    func readiness(http: HTTPClient) async throws -> JSONValue {
        let response = try await http.execute(HTTPClientRequest(url: baseURL + "/readyz"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok || response.status == .serviceUnavailable, let json = JSONValue.parse(String(buffer: body)) else {
            throw ProcessFailure(description: "GET /readyz: \(response.status) \(String(buffer: body))")
        }
        return json
    }

    /// Polls /readyz until nothing waits in memory or in the spool.
    func waitUntilDrained(http: HTTPClient, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let ready = try await readiness(http: http)
            if ready["queued_traces"] == .number(0), ready["spooled_traces"] == .number(0), ready["store"]?.stringValue == "ok" { return }
            guard ContinuousClock.now < deadline else { throw ProcessFailure(description: "not drained after \(timeout): \(ready); the process said:\n\(process.logTail)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Starts the fake OpenAI upstream as a process.
func startFakeUpstream(folder: URL, http: HTTPClient) async throws -> (ChildProcess, Int) {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let port = ChildProcess.freePort()
    let process = try ChildProcess("loupe-fake-upstream", ["--port", "\(port)", "--no-record", "--api-key", "sk-provider"], directory: folder)
    try await waitUntilAnswering("http://127.0.0.1:\(port)/v1/models", http: http, process: process, authorization: "Bearer sk-provider")
    return (process, port)
}

private func waitUntilAnswering(_ url: String, http: HTTPClient, process: ChildProcess, authorization: String? = nil) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while true {
        var request = HTTPClientRequest(url: url)
        if let authorization { request.headers.add(name: "authorization", value: authorization) }
        if let response = try? await http.execute(request, timeout: .seconds(2)), response.status == .ok { return }
        guard process.isRunning, ContinuousClock.now < deadline else {
            throw ProcessFailure(description: "\(url) never answered; the process said:\n\(process.logTail)")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
