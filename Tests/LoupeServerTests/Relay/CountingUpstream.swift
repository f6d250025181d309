import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A provider stand-in on a bare NIO server that counts its connections and requests, and answers every call with
/// one chat completion. With `requestsPerConnection` it closes a connection when the next request arrives on it,
/// as a provider that closed an idle keep-alive connection just as it was reused.
final class CountingUpstream: Sendable {
    let port: Int
    private let channel: any Channel
    private let counts: Counts

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    /// The base URL by name, for HTTPS: the test certificate is for `localhost`.
    var httpsBaseURL: String { "https://localhost:\(port)/v1" }
    var connections: Int { counts.value.withLock { $0.connections } }
    var requests: Int { counts.value.withLock { $0.requests } }

    static let answer = #"{"id":"chatcmpl-counting","object":"chat.completion","created":1,"model":"gpt-4o-mini","#
        + #""choices":[{"index":0,"message":{"role":"assistant","content":"counted"},"finish_reason":"stop"}],"#
        + #""usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#

    private init(channel: any Channel, counts: Counts) {
        self.channel = channel
        self.port = channel.localAddress!.port!
        self.counts = counts
    }

    /// `tls` serves HTTPS with the test certificate.
    static func start(requestsPerConnection: Int? = nil, tls: Bool = false) async throws -> CountingUpstream {
        let counts = Counts()
        let context = try tls ? NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem))
        )) : nil
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                counts.value.withLock { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
                    try channel.pipeline.syncOperations.addHandler(Handler(limit: requestsPerConnection, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return CountingUpstream(channel: channel, counts: counts)
    }

    func stop() async throws {
        try await channel.close()
    }

    private final class Counts: Sendable {
        let value = Mutex((connections: 0, requests: 0))
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let limit: Int?
        let counts: Counts
        var served = 0
        var closing = false

        init(limit: Int?, counts: Counts) {
            self.limit = limit
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                counts.value.withLock { $0.requests += 1 }
                if let limit, served >= limit {
                    closing = true
                    context.close(promise: nil)
                }
            case .body:
                break
            case .end:
                guard !closing else { return }
                served += 1
                let body = ByteBuffer(string: CountingUpstream.answer)
                var headers = HTTPHeaders([("content-type", "application/json")])
                headers.add(name: "content-length", value: String(body.readableBytes))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
