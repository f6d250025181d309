import NIOCore
import NIOHTTP1

/// What an upstream connection tells the call it carries.
protocol UpstreamResponseSink: AnyObject {
    func upstreamHead(_ head: HTTPResponseHead)
    func upstreamBody(_ buffer: ByteBuffer)
    func upstreamEnd()
    /// A read from the socket has been handed on: what it brought can be flushed to the client in one write.
    func upstreamReadComplete()
    /// The connection closed or failed before the answer's end.
    func upstreamFailed(_ error: any Error)
}

/// One keep-alive HTTP/1.1 connection to a provider, carrying one relayed call at a time.
final class UpstreamConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let origin: UpstreamOrigin
    private(set) var channel: (any Channel)?
    /// The call whose answer is arriving; nil while the connection is idle.
    var sink: (any UpstreamResponseSink)?
    /// False once the provider said it closes the connection after this answer.
    private(set) var isReusable = true
    /// True once the connection has carried a call: a provider may close an idle connection just as it is reused.
    private(set) var wasUsed = false

    init(origin: UpstreamOrigin) { self.origin = origin }

    var isActive: Bool { channel?.isActive ?? false }

    /// Sends a whole request; its answer goes to `sink`.
    func send(_ head: HTTPRequestHead, body: ByteBuffer, to sink: any UpstreamResponseSink) {
        guard let channel else { return sink.upstreamFailed(ChannelError.ioOnClosedChannel) }
        self.sink = sink
        wasUsed = true
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if body.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Drops the connection and whatever answer is still coming on it, without telling the call.
    func abandon() {
        sink = nil
        isReusable = false
        channel?.close(promise: nil)
    }

    /// Stops or resumes reading the answer, to go at the pace of the client it is relayed to.
    func setReading(_ isReading: Bool) {
        guard isReading == isPaused, let channel, let options = channel.syncOptions else { return }
        isPaused = !isReading
        try? options.setOption(.autoRead, value: isReading)
        if isReading { channel.read() }
    }
    private var isPaused = false

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if !head.isKeepAlive { isReusable = false }
            sink?.upstreamHead(head)
        case .body(let buffer):
            sink?.upstreamBody(buffer)
        case .end:
            let sink = self.sink
            self.sink = nil
            setReading(true)
            sink?.upstreamEnd()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        sink?.upstreamReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        isReusable = false
        let sink = self.sink
        self.sink = nil
        sink?.upstreamFailed(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isReusable = false
        let sink = self.sink
        self.sink = nil
        sink?.upstreamFailed(UpstreamConnectionClosed())
        context.fireChannelInactive()
    }
}

/// The provider closed the connection before its answer was complete.
struct UpstreamConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the provider closed the connection before the answer was complete" }
}
