// The floor of a hand-written SwiftNIO HTTP/1 relay on this machine, for comparison in
// Benchmarks/proxy/run: one upstream connection per client connection, requests relayed in order,
// nothing parsed, nothing recorded. Not part of Loupe; it measures what the libraries cost.
//
//   loupe-nio-floor UPSTREAM_PORT LISTEN_PORT
import NIOCore
import NIOHTTP1
import NIOPosix

/// Relays one upstream connection's responses back to the client connection it serves.
final class UpstreamRelay: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let downstream: any Channel

    init(downstream: any Channel) { self.downstream = downstream }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            var headers = head.headers
            headers.remove(name: "connection")
            downstream.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: head.status, headers: headers)), promise: nil)
        case .body(let buffer):
            downstream.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        case .end:
            downstream.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
    }
}

/// Opens an upstream connection for each client connection and forwards its requests.
final class ClientRelay: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    let upstreamPort: Int
    var upstream: EventLoopFuture<any Channel>?

    init(upstreamPort: Int) { self.upstreamPort = upstreamPort }

    func channelActive(context: ChannelHandlerContext) {
        let downstream = context.channel
        upstream = ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamRelay(downstream: downstream))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part: HTTPClientRequestPart
        switch unwrapInboundIn(data) {
        case .head(let head):
            var outgoing = HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: head.headers)
            outgoing.headers.replaceOrAdd(name: "host", value: "127.0.0.1")
            part = .head(outgoing)
        case .body(let buffer):
            part = .body(.byteBuffer(buffer))
        case .end:
            part = .end(nil)
        }
        let flush = if case .end = part { true } else { false }
        upstream?.whenSuccess { channel in
            if flush { channel.writeAndFlush(part, promise: nil) } else { channel.write(part, promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.whenSuccess { $0.close(promise: nil) }
        context.fireChannelInactive()
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let upstreamPort = Int(arguments[1]), let listenPort = Int(arguments[2]) else {
    print("usage: loupe-nio-floor UPSTREAM_PORT LISTEN_PORT")
    exit(64)
}
let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(ClientRelay(upstreamPort: upstreamPort))
        }
    }
    .bind(host: "127.0.0.1", port: listenPort).get()
print("listening on http://127.0.0.1:\(listenPort)")
try await server.closeFuture.get()
