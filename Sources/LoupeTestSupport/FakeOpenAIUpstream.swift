import Hummingbird
import Logging
import ServiceLifecycle

/// A fake OpenAI API on a real socket, for tests, the SDK compatibility check and benchmarks.
///
/// Routes: `POST /v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/responses`,
/// `GET /v1/models` and `GET /v1/files`; anything else is a 404 in OpenAI's shape.
/// Replies are deterministic: the text is `Hello from the fake upstream.` (or `x-fake-reply`),
/// prompt tokens are the words in the input, completion tokens the words in the reply.
/// Control headers: `x-fake-status`, `x-fake-retry-after`, `x-fake-delay-ms`,
/// `x-fake-chunk-delay-ms`, `x-fake-cut-after`, `x-fake-cached-tokens`,
/// `x-fake-reasoning-tokens`, `x-fake-tool-call`.
///
/// `POST /v1/messages` speaks Anthropic's Messages API instead, with Anthropic's error shape
/// (`{"type":"error","error":{"type","message"}}`) for every error: it requires `x-api-key` (equal to
/// `requiredAPIKey` when one is set, else any value; 401 `authentication_error` otherwise),
/// `anthropic-version` (400 `invalid_request_error` when missing), and `model`, `max_tokens` and
/// `messages` in the body. The reply text is chosen as on the chat route; `input_tokens` are the words in
/// `messages` and `system` less the cache tokens that `x-fake-cache-read-tokens` and
/// `x-fake-cache-write-tokens` report as `cache_read_input_tokens` and `cache_creation_input_tokens`;
/// `output_tokens` are the reply's words. With `tools` and `x-fake-tool-call: NAME` it answers a
/// `tool_use` block with input `{"city":"Paris"}` and `stop_reason: tool_use`. `stream: true` sends
/// Anthropic's events (`message_start`, `content_block_start`, `ping`, one `content_block_delta` per
/// word, `content_block_stop`, `message_delta`, `message_stop`); `x-fake-delay-ms`,
/// `x-fake-chunk-delay-ms`, `x-fake-cut-after`, `x-fake-piece-length`, `x-fake-status` and
/// `x-fake-retry-after` work as on the other routes.
public struct FakeOpenAIUpstream: Sendable {
    /// Where to listen and how strict to be.
    public struct Configuration: Sendable {
        /// The address to bind.
        public var host: String
        /// The port to bind; 0 picks a free one.
        public var port: Int
        /// When set, requests must carry `Authorization: Bearer <key>` (`x-api-key: <key>` on `/v1/messages`).
        public var requiredAPIKey: String?
        /// Keep every request for inspection; turn off for benchmarks.
        public var recordRequests: Bool
        /// Answers chosen by what the last user message says, after the headers and directives.
        public var scriptedReplies: [FakeScriptedReply]

        /// A configuration; the defaults listen on a free loopback port and record requests.
        public init(
            host: String = "127.0.0.1", port: Int = 0, requiredAPIKey: String? = nil, recordRequests: Bool = true,
            scriptedReplies: [FakeScriptedReply] = []
        ) {
            self.host = host
            self.port = port
            self.requiredAPIKey = requiredAPIKey
            self.recordRequests = recordRequests
            self.scriptedReplies = scriptedReplies
        }
    }

    /// Starts the fake on a real socket, runs `body`, then shuts the server down gracefully.
    public static func withRunning<T: Sendable>(
        _ configuration: Configuration = .init(),
        _ body: @Sendable (RunningFakeUpstream) async throws -> T
    ) async throws -> T {
        let recorder = RequestRecorder()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = makeApplication(configuration, recorder: recorder) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: quietLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // Ends the wait for a port if the server stops before it listens (say, the port is taken).
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()
                throw FakeUpstreamError(description: "The fake upstream stopped before it listened on \(configuration.host):\(configuration.port).")
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

    /// The Hummingbird application, for running it as a service (used by the executable).
    public static func makeApplication(
        _ configuration: Configuration,
        recorder: RequestRecorder,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let responder = FakeResponder(configuration: configuration, recorder: recorder)
        return Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [FakeFastLane(responder: responder)])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "fake-openai"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: quietLogger
        )
    }

    /// Logs errors only: the fake serves load tests, so nothing is logged per request.
    static var quietLogger: Logger {
        var logger = Logger(label: "loupe.fake-upstream")
        logger.logLevel = .error
        return logger
    }
}
