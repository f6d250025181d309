import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers the fake's plain OpenAI calls on the event loop, in front of Hummingbird's async responder, so that a
/// benchmark's fake upstream takes a small share of the cores it shares with Loupe and the load generator.
///
/// Plain means a POST to a generation route with a `Content-Length`, the right key, no path control, no
/// `Connection: close` and no `x-fake-*` header: nothing to wait for or break, so the answer is the responder's
/// own (`FakeResponder.route`), each event of a stream still its own write. Other requests go on to Hummingbird,
/// and so does a plain one while Hummingbird still owes an answer, so that answers keep the order of the requests.
final class FakeFastLane: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        case reading(HTTPRequest, ByteBuffer)
        /// A request handed on to Hummingbird, until its end.
        case passing
    }

    private static let routes: Set<String> = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"]

    private let responder: FakeResponder
    private var state = State.idle
    /// Answers Hummingbird still owes on this connection.
    private var owedByResponder = 0

    init(responder: FakeResponder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (state, unwrapInboundIn(data)) {
        case (.idle, .head(let head)):
            if owedByResponder == 0, let length = plainLength(head) {
                state = .reading(head, context.channel.allocator.buffer(capacity: length))
            } else {
                state = .passing
                owedByResponder += 1
                context.fireChannelRead(data)
            }
        case (.reading(let head, var body), .body(let chunk)):
            state = .idle  // drop the reference so the body grows in place
            body.writeImmutableBuffer(chunk)
            state = .reading(head, body)
        case (.reading(let head, let body), .end):
            state = .idle
            answer(head, body: body, context: context)
        case (.passing, .end):
            state = .idle
            context.fireChannelRead(data)
        default:
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Only Hummingbird's answers pass here; the fast lane writes from its own context, past this handler.
        if case .end = unwrapOutboundIn(data) { owedByResponder -= 1 }
        context.write(data, promise: promise)
    }

    /// The body's length when the request is plain, else nil.
    private func plainLength(_ head: HTTPRequest) -> Int? {
        guard head.method == .post, let path = head.path, Self.routes.contains(path), responder.isAuthorized(head.headerFields),
            let length = head.headerFields[.contentLength].flatMap({ Int($0) }), length <= FakeResponder.maximumBodySize,
            head.headerFields[.connection]?.lowercased() != "close",
            !head.headerFields.contains(where: { $0.name.canonicalName.hasPrefix("x-fake-") })
        else { return nil }
        return length
    }

    private func answer(_ head: HTTPRequest, body: ByteBuffer, context: ChannelHandlerContext) {
        let path = head.path ?? ""
        if responder.recordRequests { responder.record(method: head.method, path: path, headers: head.headerFields, body: body) }
        let answer = responder.route(head.method, path, body: body, headers: head.headerFields)
        var fields = answer.headers
        fields[.server] = "fake-openai"
        switch answer.body {
        case .bytes(let bytes):
            fields[.contentLength] = String(bytes.readableBytes)
            context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
            context.write(wrapOutboundOut(.body(bytes)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .events(let events, _, _, let onEnd):
            // A plain call has no delay or cut (those come from x-fake-* headers), so every event goes now.
            context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
            for event in events {
                context.writeAndFlush(wrapOutboundOut(.body(ByteBuffer(string: event))), promise: nil)
            }
            let ended = context.eventLoop.makePromise(of: Void.self)
            ended.futureResult.whenComplete { result in
                if case .success = result { onEnd(true) } else { onEnd(false) }
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: ended)
        }
    }
}
