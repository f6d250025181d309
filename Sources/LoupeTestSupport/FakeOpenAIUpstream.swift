import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import LoupeCore
import NIOCore
import ServiceLifecycle

/// A fake OpenAI API on a real socket, for tests, the SDK compatibility check and benchmarks.
///
/// Replies are deterministic: the text is `Hello from the fake upstream.` (or `x-fake-reply`), prompt
/// tokens are the words in the input, completion tokens the words in the reply. Control headers:
/// `x-fake-status`, `x-fake-retry-after`, `x-fake-delay-ms`, `x-fake-chunk-delay-ms`,
/// `x-fake-cut-after`, `x-fake-cached-tokens`, `x-fake-reasoning-tokens`, `x-fake-tool-call`.
public struct FakeOpenAIUpstream: Sendable {
    /// Where to listen and how strict to be.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// When set, requests must carry `Authorization: Bearer <key>`.
        public var requiredAPIKey: String?
        /// Keep every request for inspection; off for benchmarks.
        public var recordRequests: Bool

        public init(host: String = "127.0.0.1", port: Int = 0, requiredAPIKey: String? = nil, recordRequests: Bool = true) {
            self.host = host
            self.port = port
            self.requiredAPIKey = requiredAPIKey
            self.recordRequests = recordRequests
        }
    }

    /// Starts the fake on a real socket, runs `body`, then shuts the server down gracefully.
    public static func withRunning<T: Sendable>(
        _ configuration: Configuration = .init(),
        _ body: @Sendable (RunningFakeUpstream) async throws -> T
    ) async throws -> T {
        let recorder = RequestRecorder()
        let (ports, portSource) = AsyncStream<Int>.makeStream()
        let app = makeApplication(configuration, recorder: recorder) { port in
            portSource.yield(port)
            portSource.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "fake-upstream")))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw FakeUpstreamError(description: "the fake upstream stopped before it listened")
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(RunningFakeUpstream(port: port, recorder: recorder)))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// The Hummingbird application, for running it as a service.
    public static func makeApplication(
        _ configuration: Configuration,
        recorder: RequestRecorder,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol & Service {
        let router = Router(context: BasicRequestContext.self)
        let responder = FakeResponder(configuration: configuration, recorder: recorder)
        router.post("v1/chat/completions") { request, _ in await responder.respond(request, kind: .chat) }
        router.post("v1/completions") { request, _ in await responder.respond(request, kind: .completion) }
        router.post("v1/embeddings") { request, _ in await responder.respond(request, kind: .embeddings) }
        router.post("v1/responses") { request, _ in await responder.respond(request, kind: .responses) }
        router.get("v1/models") { request, _ in await responder.respond(request, kind: .models) }
        router.get("v1/files") { request, _ in await responder.respond(request, kind: .files) }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("v1/**", method: method) { request, _ in await responder.respond(request, kind: .unknown) }
        }
        var logger = Logger(label: "fake-upstream")
        logger.logLevel = .error
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "fake-openai"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}

/// The fake could not start.
public struct FakeUpstreamError: Error, CustomStringConvertible {
    public var description: String
}
