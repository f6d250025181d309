import AsyncHTTPClient
import Foundation
import Logging
import LoupeConfig
import LoupeCore
import LoupeEvals
import LoupeGuardrails
import NIOCore
import ServiceLifecycle

/// `loupe eval run`: a suite run through Loupe's own proxy, stored in the tracking module.
///
/// With no server given, it starts Loupe in this process on a free loopback port, with the same
/// configuration as `serve` (providers, models, guardrails, store), and stops it afterwards, flushing every
/// trace; otherwise it sends the calls to the running server. Either way every case leaves a trace.
public enum EvalSession {
    /// Runs `suite` (read from `sourceFile`) and stores the result; returns it with its run ids.
    public static func run(
        _ suite: EvalSuite, sourceFile: String, configuration: LoupeConfiguration, server: String? = nil, options: EvalRunner.Options = .init(),
        logger: Logger = Logger(label: "loupe"), progress: (@Sendable (EvalRunner.Progress) -> Void)? = nil
    ) async throws -> EvalRunResult {
        let guardrails = try GuardrailPolicySet(configuration.guardrails)
        let opened = try StoreFactory.open(url: configuration.store.url, logger: logger)
        return try await opened.withRunning { store in
            try await store.migrate()
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, suite.concurrency))
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
            do {
                // With auth on, calls carry a key: LOUPE_API_KEY (a virtual key, so that the eval's spend counts
                // against it), else the master key of the config.
                let apiKey = ProcessInfo.processInfo.environment["LOUPE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.masterKey
                let result = try await withServer(server, configuration: configuration, store: store, logger: logger) { baseURL in
                    let runner = EvalRunner(
                        target: ProxyEvalTarget(baseURL: baseURL, client: client, prompts: store, suite: suite.name, apiKey: apiKey),
                        grader: ProxyEvalGrader(
                            baseURL: baseURL, client: client, suite: suite.name, judgeModel: suite.judgeModel, embeddingModel: suite.embeddingModel, apiKey: apiKey
                        ),
                        guardrails: guardrails, options: options
                    )
                    return try await runner.run(suite, progress: progress)
                }
                try await client.shutdown()
                // Stored once the in-process server has stopped, so every case's trace is in the store by then.
                return try await EvalRecorder(store: store).record(result, suite: suite, sourceFile: sourceFile)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// Runs `body` with the base URL of a Loupe server: `server`, or one started here for the duration.
    static func withServer<Result: Sendable>(
        _ server: String?, configuration: LoupeConfiguration, store: any LoupeStore, logger: Logger,
        _ body: @escaping @Sendable (String) async throws -> Result
    ) async throws -> Result {
        if let server { return try await body(server) }
        var configuration = configuration
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        let (ports, portContinuation) = AsyncStream<Int?>.makeStream()
        let app = try await buildApplication(configuration: configuration, store: store, migrate: true, logger: logger) { channel in
            portContinuation.yield(channel.localAddress?.port)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                // Ends the wait for a port if the server stops before it listens (a store that cannot migrate).
                defer { portContinuation.finish() }
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let found = await iterator.next(), let port = found else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()  // rethrows why the server stopped
                throw EvalSuiteError("the in-process Loupe server did not start")
            }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
