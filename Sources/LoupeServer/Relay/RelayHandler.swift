import HTTPTypes
import LoupeCore
import NIOCore
import NIOHTTPTypes

/// Sits in Hummingbird's HTTP/1 pipeline, in front of its router, and answers the calls the relay takes on the
/// event loop; every other request passes on to Hummingbird untouched. Answers leave in the order requests came.
final class RelayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A call the relay may take: its body is being read.
        case reading(HTTPRequest, ProxyEndpoint, ByteBuffer, arrived: ContinuousClock.Instant)
        /// A request handed on to Hummingbird, until its end.
        case passing
        /// With auth on: the key, budgets and rate limits are being checked off the event loop.
        case admitting
        case relaying(RelayedCall)
    }

    private let relay: Relay
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var pool: UpstreamPool?
    /// Answers Hummingbird still owes on this connection: a relayed answer may not overtake them.
    private var owedByHummingbird = 0
    /// Request parts that arrived during a relayed call (HTTP pipelining), taken in turn when it ends.
    private var waiting = CircularBuffer<HTTPRequestPart>()
    /// A graceful shutdown's request to close, held until the relayed call ends.
    private var heldQuiesce: Any?

    init(relay: Relay) { self.relay = relay }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        pool = relay.pools.pool(on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        // A part waits behind a call in flight, and behind parts already waiting.
        if (isBusy && !isReading) || !waiting.isEmpty {
            waiting.append(part)
        } else {
            take(part, context: context)
        }
    }

    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if owedByHummingbird == 0, let (endpoint, length) = relay.endpoint(for: head) {
                state = .reading(head, endpoint, context.channel.allocator.buffer(capacity: length), arrived: .now)
            } else {
                pass(part, context: context)
            }
        case (.reading(let head, let endpoint, var body, let arrived), .body(let chunk)):
            state = .idle  // drop the reference so the body grows in place
            body.writeImmutableBuffer(chunk)
            guard body.readableBytes <= relay.maxBodyBytes else {
                // More than its Content-Length said: Hummingbird answers it.
                pass(.head(head), context: context)
                pass(.body(body), context: context)
                return
            }
            state = .reading(head, endpoint, body, arrived: arrived)
        case (.reading(let head, let endpoint, let body, let arrived), .end):
            if let gateway = relay.gateway {
                state = .admitting
                admit(head, endpoint: endpoint, body: body, arrived: arrived, gateway: gateway, context: context)
            } else if let request = relay.call(head, endpoint: endpoint, body: body, arrived: arrived) {
                answer(request, refusing: nil)
            } else {
                decline(head, body: body, context: context)
            }
        default:
            pass(part, context: context)
        }
    }

    /// Checks the call's key, budgets and rate limits off the event loop, then relays it, answers the refusal, or
    /// hands it to Hummingbird (whose answer to a key that does not check out is the one to give).
    private func admit(
        _ head: HTTPRequest, endpoint: ProxyEndpoint, body: ByteBuffer, arrived: ContinuousClock.Instant, gateway: Gateway,
        context: ChannelHandlerContext
    ) {
        let relay = self.relay
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        Task {
            var request: RelayRequest?
            var refusal: APIError?
            do throws(APIError) {
                let key = try await gateway.authenticate(head.headerFields)
                request = relay.call(head, endpoint: endpoint, body: body, arrived: arrived, key: key)
                if let request {
                    try await gateway.admit(key: key, user: request.call.trace.user, model: request.requestedModel)
                }
            } catch {
                refusal = error
            }
            handler.eventLoop.execute { [request, refusal] in
                let handler = handler.value
                guard case .admitting = handler.state else { return }
                guard let request else {
                    guard let context = handler.context else { return }
                    handler.decline(head, body: body, context: context)
                    // Outside a read, Hummingbird's channel hands on what it read only at a read's end.
                    context.fireChannelReadComplete()
                    return handler.takeWaiting(context: context)
                }
                handler.answer(request, refusing: refusal)
            }
        }
    }

    /// Answers a call on the event loop: forwarded, or refused with `refusal` and recorded.
    private func answer(_ request: RelayRequest, refusing refusal: APIError?) {
        guard let pool else { return }
        relay.metrics.countRelayed()
        let call = RelayedCall(request, relay: relay, pool: pool, client: self)
        state = .relaying(call)
        if let refusal {
            call.reject(refusal)
        } else if context?.channel.isActive != true {
            // The client left while the call was admitted: it is recorded as cancelled, and never sent.
            call.clientClosed()
        } else {
            call.start()
        }
    }

    /// Hands a whole request it held on to Hummingbird.
    private func decline(_ head: HTTPRequest, body: ByteBuffer, context: ChannelHandlerContext) {
        pass(.head(head), context: context)
        if body.readableBytes > 0 { pass(.body(body), context: context) }
        pass(.end(nil), context: context)
    }

    /// Hands a part on to Hummingbird.
    private func pass(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head:
            owedByHummingbird += 1
            state = .passing
        case .end:
            state = .idle
        case .body:
            break
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// Writes part of a relayed call's answer.
    func write(_ part: HTTPResponsePart, flush: Bool) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    func flush() {
        context?.flush()
    }

    /// Closes the client's connection, as a provider does when its stream breaks.
    func close() {
        context?.close(promise: nil)
    }

    /// The relayed call has answered and been recorded: requests that waited are taken now.
    func callFinished() {
        guard case .relaying = state else { return }
        state = .idle
        guard let context else { return }
        takeWaiting(context: context)
    }

    /// Takes the request parts that waited for a call to end, and a shutdown's close that waited for it.
    private func takeWaiting(context: ChannelHandlerContext) {
        let wasWaiting = !waiting.isEmpty
        while !waiting.isEmpty, !isBusy || isReading {
            take(waiting.removeFirst(), context: context)
        }
        // Hummingbird's channel hands on what it read at the end of a read.
        if wasWaiting { context.fireChannelReadComplete() }
        if let event = heldQuiesce, !isBusy {
            heldQuiesce = nil
            context.fireUserInboundEventTriggered(event)
        }
    }

    private var isBusy: Bool {
        switch state {
        case .relaying, .admitting, .reading: true
        case .idle, .passing: false
        }
    }

    private var isReading: Bool {
        if case .reading = state { true } else { false }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Hummingbird's answers pass through; their ends are counted so relayed answers keep the order.
        if case .end = unwrapOutboundIn(data) { owedByHummingbird = max(0, owedByHummingbird - 1) }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Hummingbird closes idle connections on shutdown; it does not see a relayed call, so it waits for it here.
        if event is ChannelShouldQuiesceEvent, isBusy {
            heldQuiesce = event
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .relaying(let call) = state { call.clientWritabilityChanged(isWritable: context.channel.isWritable) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .relaying(let call) = state { call.clientClosed() }
        context.fireChannelInactive()
    }
}
