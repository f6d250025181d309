import AsyncHTTPClient
import Foundation
import NIOCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends chat calls from several concurrent clients until stopped, noting each answer.
final class LoadGenerator: Sendable {
    /// One 2xx answer: its trace id and when it completed.
    struct Success: Sendable {
        var traceID: String
        var completed: ContinuousClock.Instant
    }

    private struct State {
        var successes: [Success] = []
        var failures: [String] = []
        var stopped = false
    }

    private let state = Mutex(State())
    let targets: [String]

    /// Load spread round-robin over `targets` (base URLs).
    init(targets: [String]) { self.targets = targets }

    var successes: [Success] { state.withLock { $0.successes } }
    var failures: [String] { state.withLock { $0.failures } }
    func stop() { state.withLock { $0.stopped = true } }

    /// Waits until `count` calls have been answered 2xx, however slow the machine; fails after 30 s.
    func waitForSuccesses(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while state.withLock({ $0.successes.count }) < count {
            guard ContinuousClock.now < deadline else {
                throw ProcessFailure(description: "only \(successes.count) calls answered in 30 s; failures: \(failures.prefix(3))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `clients` loops until `stop()`; a client whose connection is refused (server gone) stops itself.
    func run(clients: Int, http: HTTPClient) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask { await self.loop(client: client, http: http) }
            }
        }
    }

    private func loop(client: Int, http: HTTPClient) async {
        var index = client
        while !state.withLock({ $0.stopped }) {
            var request = HTTPClientRequest(url: targets[index % targets.count] + "/v1/chat/completions")
            index += 1
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "x-loupe-user", value: "load-\(client)")
            request.body = .bytes(ByteBuffer(string: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello under load"}]}"#))
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                if (200..<300).contains(response.status.code), let id = response.headers.first(name: "x-loupe-trace-id") {
                    let success = Success(traceID: id, completed: .now)
                    state.withLock { $0.successes.append(success) }
                } else {
                    let failure = "HTTP \(response.status.code)"
                    state.withLock { $0.failures.append(failure) }
                }
            } catch {
                let failure = "\(error)"
                state.withLock { $0.failures.append(failure) }
                // The server is gone (a test stopped it); stop rather than spin.
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
