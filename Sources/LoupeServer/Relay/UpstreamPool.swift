import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive connections to providers for the relayed calls of one event loop; used only on that loop.
final class UpstreamPool {
    let eventLoop: any EventLoop
    private let tls: [UpstreamOrigin: NIOSSLContext]
    private var idle: [UpstreamOrigin: [UpstreamConnection]] = [:]
    private var isClosed = false
    /// Idle connections kept per provider; more are closed when their call ends.
    static let maxIdlePerOrigin = 256

    init(eventLoop: any EventLoop, tls: [UpstreamOrigin: NIOSSLContext]) {
        self.eventLoop = eventLoop
        self.tls = tls
    }

    /// An idle connection to `origin` if one is open, else a new one.
    func lease(_ origin: UpstreamOrigin, _ use: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        while let connection = idle[origin]?.popLast() {
            if connection.isActive { return use(.success(connection)) }
        }
        connect(origin, use)
    }

    /// A new connection to `origin`.
    func connect(_ origin: UpstreamOrigin, _ use: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let context = tls[origin]
        if origin.isTLS, context == nil { return use(.failure(NoTLSContext(host: origin.host))) }
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        // The certificate is checked against the host name, which SNI also sends.
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: origin.host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(origin: origin))
                }
            }
            .connect(host: origin.host, port: origin.port)
            .assumeIsolated()
            .whenComplete { result in
                use(result.flatMap { channel in
                    Result { try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) }
                })
            }
    }

    /// Takes back a connection whose call has ended: kept for the next call when it can carry one, else closed.
    func release(_ connection: UpstreamConnection) {
        guard !isClosed, connection.isReusable, connection.isActive, idle[connection.origin, default: []].count < Self.maxIdlePerOrigin else {
            connection.abandon()
            return
        }
        idle[connection.origin, default: []].append(connection)
    }

    /// Closes the idle connections; connections still carrying a call close when it ends.
    func close() {
        isClosed = true
        for connection in idle.values.joined() { connection.abandon() }
        idle = [:]
    }
}

/// An HTTPS origin the pools made no TLS context for at start.
struct NoTLSContext: Error, CustomStringConvertible {
    var host: String
    var description: String { "no TLS context was made for \(host)" }
}
