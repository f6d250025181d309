import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// The pooled HTTP client that calls providers, run as a service so it shuts down after the server.
public struct UpstreamClient: Service {
    /// The underlying client; requests may be made on it until graceful shutdown ends.
    public let http: HTTPClient

    /// A client whose pool allows `maxConnectionsPerHost` concurrent HTTP/1 connections per provider.
    public init(maxConnectionsPerHost: Int = 1024) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost),
            decompression: .disabled
        )
        configuration.httpVersion = .automatic
        // A refused connection fails the attempt at once: the router retries it with backoff and falls over to
        // the next deployment, instead of AsyncHTTPClient retrying the dead host until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await http.shutdown()
    }
}
