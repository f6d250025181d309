import HTTPTypes
import Hummingbird
import LoupeCore
import LoupeProxy
import LoupeRecorder
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// One call the relay answers: sent on a pooled provider connection, answered to the client as the provider
/// answers, and recorded like any proxied call. Lives on the client connection's event loop.
final class RelayedCall: UpstreamResponseSink {
    private enum Phase { case connecting, waitingForHead, buffering, streaming, done }
    private typealias Proxy = ProxyController<BasicRequestContext>

    private var phase = Phase.connecting
    private var call: ProxyCall
    private let request: RelayRequest
    private let route: ModelRouter.Route
    private let relay: Relay
    private let pool: UpstreamPool
    private unowned let client: RelayHandler
    private var connection: UpstreamConnection?
    /// True when the connection had carried calls before: the provider may have closed it as this call was sent.
    private var connectionWasReused = false
    private var timeout: Scheduled<Void>?
    // A whole answer, sent when it has all arrived.
    private var answerHead: HTTPResponseHead?
    private var answer = ByteBuffer()
    // A streamed answer, relayed as it arrives.
    private var parser = SSEParser()
    private var assembler: any StreamAssembler
    private var recording: StreamRecording?

    init(_ request: RelayRequest, relay: Relay, pool: UpstreamPool, client: RelayHandler) {
        self.call = request.call
        self.request = request
        self.route = request.call.route!  // the relay takes only calls it has routed
        self.relay = relay
        self.pool = pool
        self.client = client
        self.assembler = request.endpoint.makeAssembler(hideUsageChunk: request.hideUsageChunk)
    }

    func start() {
        pool.lease(request.origin) { [self] in connected($0) }
    }

    /// Answers the call with a refusal (a key's model, budget or rate limit) without sending it.
    func reject(_ error: APIError) {
        fail(error)
    }

    private func connected(_ result: Result<UpstreamConnection, any Error>) {
        guard phase == .connecting else {
            // The client left while the connection was made.
            if case .success(let connection) = result { pool.release(connection) }
            return
        }
        switch result {
        case .failure(let error):
            fail(Proxy.apiError(forUpstream: error, route: route))
        case .success(let connection):
            self.connection = connection
            connectionWasReused = connection.wasUsed
            phase = .waitingForHead
            call.upstreamStarted = .now  // metrics
            connection.send(request.head, body: request.body, to: self)
            if timeout == nil {
                timeout = pool.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(route.timeoutMs))) { [self] in
                    timedOut()
                }
            }
        }
    }

    func upstreamHead(_ head: HTTPResponseHead) {
        guard phase == .waitingForHead else { return }
        timeout?.cancel()
        call.trace.statusCode = Int(head.status.code)
        let isEventStream = head.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true
        guard isEventStream, (200..<300).contains(call.trace.statusCode) else {
            answerHead = head
            phase = .buffering
            return
        }
        phase = .streaming
        call.trace.stream = true
        recording = StreamRecording(call: call, recorder: relay.recorder)
        let fields = UpstreamHeaders.forResponse(head.headers, traceID: call.trace.id)
        client.write(.head(HTTPResponse(status: .init(code: call.trace.statusCode), headerFields: fields)), flush: true)
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        switch phase {
        case .buffering:
            answer.writeImmutableBuffer(buffer)
            if answer.readableBytes > Proxy.maxResponseBytes {
                dropConnection()
                fail(.upstreamBadResponse(provider: route.providerName, detail: "the response is larger than \(Proxy.maxResponseBytes) bytes"))
            }
        case .streaming:
            let events = parser.feed(buffer)
            guard request.hideUsageChunk else {
                // Relayed byte for byte the moment it arrives.
                client.write(.body(buffer), flush: true)
                for event in events where assembler.consume(event).firstToken { recording?.markFirstToken() }
                return
            }
            // The proxy asked for usage itself: events are relayed whole, so the usage chunk can be left out.
            var relayed = ByteBuffer()
            for event in events {
                let disposition = assembler.consume(event)
                if disposition.firstToken { recording?.markFirstToken() }
                if let outgoing = event.relayed(disposition) { relayed.writeImmutableBuffer(outgoing.raw) }
            }
            if relayed.readableBytes > 0 { client.write(.body(relayed), flush: true) }
        case .connecting, .waitingForHead, .done:
            break
        }
    }

    func upstreamEnd() {
        if let connection {
            self.connection = nil
            pool.release(connection)
        }
        switch phase {
        case .buffering:
            phase = .done
            call.upstreamFinished()  // metrics
            let summary = ResponseSummary(body: answer.readableBytesView)
            call.read(summary)
            call.settle(answer: answer.readableBytesView, summary: summary, recorder: relay.recorder)
            let upstreamHeaders = answerHead?.headers ?? [:]
            record(call.trace, pricedAs: call.pricingNames, upstreamMs: call.upstreamMs) { [self] recorded in
                var fields = UpstreamHeaders.forAnswer(upstreamHeaders, trace: recorded)
                fields[.contentLength] = String(answer.readableBytes)
                respond(status: .init(code: call.trace.statusCode), fields: fields, body: answer)
            }
        case .streaming:
            // A last event without its blank line goes out as it came.
            let rest = parser.unterminatedBytes
            if request.hideUsageChunk, rest.readableBytes > 0 { client.write(.body(rest), flush: false) }
            client.write(.end(nil), flush: true)
            finishStream(assembler.isComplete ? .complete : .upstreamEndedEarly)
        case .connecting, .waitingForHead, .done:
            break
        }
    }

    func upstreamFailed(_ error: any Error) {
        connection = nil
        switch phase {
        case .waitingForHead where connectionWasReused:
            // Sent on a connection the provider closed while it was idle: once more, on a new connection.
            connectionWasReused = false
            phase = .connecting
            pool.connect(request.origin) { [self] in connected($0) }
        case .waitingForHead:
            timeout?.cancel()
            fail(Proxy.apiError(forUpstream: error, route: route))
        case .buffering:
            fail(.upstreamBadResponse(provider: route.providerName, detail: "the response broke off: \(error)"))
        case .streaming:
            // Closing without the final chunk tells the client the stream broke, as the provider's would. Recorded
            // first: the close tells this call the client has gone.
            finishStream(.upstreamFailed(error))
            client.close()
        case .connecting, .done:
            break
        }
    }

    private func timedOut() {
        guard phase == .waitingForHead else { return }
        dropConnection()
        fail(.upstreamTimeout(provider: route.providerName, timeoutMs: route.timeoutMs))
    }

    /// The client has gone: the provider's call is dropped, and the trace says the call was cancelled.
    func clientClosed() {
        switch phase {
        case .done:
            return
        case .streaming:
            dropConnection()
            finishStream(.clientGone(ClientDisconnected()))
        case .connecting, .waitingForHead, .buffering:
            timeout?.cancel()
            dropConnection()
            phase = .done
            call.trace.status = .cancelled
            call.trace.error = "the client disconnected before the answer; the upstream call was cancelled"
            call.trace.latencyMs = call.elapsedMs
            record(call.trace, pricedAs: [], upstreamMs: nil) { [self] _ in client.callFinished() }
        }
    }

    /// Follows the client's pace: a client that reads slowly stops the reads from the provider until it catches up.
    func clientWritabilityChanged(isWritable: Bool) {
        connection?.setReading(isWritable)
    }

    private func dropConnection() {
        connection?.abandon()
        connection = nil
    }

    private func finishStream(_ ending: StreamEnding) {
        phase = .done
        guard let (trace, names, upstreamMs) = recording?.take(ending, assembler: assembler) else { return client.callFinished() }
        record(trace, pricedAs: names, upstreamMs: upstreamMs) { [self] _ in client.callFinished() }
    }

    /// Answers with Loupe's own error, recorded as the async path records it.
    private func fail(_ error: APIError) {
        phase = .done
        call.settle(failure: error)
        record(call.trace, pricedAs: [], upstreamMs: call.upstreamMs, errorCode: error.code) { [self] _ in
            let body = ByteBuffer(string: error.body)
            var fields = error.headers([RequestAnnotations.traceIDHeader: call.trace.id])
            fields[.contentLength] = String(body.readableBytes)
            respond(status: error.status, fields: fields, body: body)
        }
    }

    private func respond(status: HTTPResponse.Status, fields: HTTPFields, body: ByteBuffer) {
        client.write(.head(HTTPResponse(status: status, headerFields: fields)), flush: false)
        if body.readableBytes > 0 { client.write(.body(body), flush: false) }
        client.write(.end(nil), flush: true)
        client.callFinished()
    }

    /// Prices and queues the trace without suspending, then goes on with `next`. When the queue is full, `next`
    /// waits for room, which holds back the answer (and the connection's next call) as the async path does.
    private func record(
        _ trace: Trace, pricedAs names: [String?], upstreamMs: Double?, errorCode: String? = nil, then next: @escaping (Trace) -> Void
    ) {
        let recorder = relay.recorder
        let recorded = recorder.stamp(trace, pricedAs: names, upstreamMs: upstreamMs, errorCode: errorCode)
        if recorder.queue.tryEnqueue(recorded) { return next(recorded) }
        let resume = NIOLoopBound(next, eventLoop: pool.eventLoop)
        Task {
            await recorder.queue.enqueue(recorded)
            resume.eventLoop.execute { resume.value(recorded) }
        }
    }
}

/// The client closed its connection during a relayed call.
struct ClientDisconnected: Error, CustomStringConvertible {
    var description: String { "the client closed the connection" }
}
