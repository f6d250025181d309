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
///
/// A deployment that fails (408, 409, 429, 5xx, timeout, no connection) is tried again after `RetryPolicy`'s wait,
/// then the next one is, as `ProxyController+Forwarding` does; each failed try is kept in the trace's attempts.
final class RelayedCall: UpstreamResponseSink {
    private enum Phase {
        case connecting, waitingForHead, buffering, streaming
        /// Reading a failed try's answer for its message; then `next` says whether to retry or move on.
        case readingFailure(status: Int, next: Next)
        case waitingToRetry
        case done
    }

    /// After a failed try: the same deployment again after `wait`, or the next deployment at once.
    private enum Next {
        case retry(after: Duration)
        case nextDeployment
    }
    private typealias Proxy = ProxyController<BasicRequestContext>

    private var phase = Phase.connecting
    private var call: ProxyCall
    private let request: RelayRequest
    /// The deployment being tried, and how often it was tried again.
    private var legIndex = 0
    private var retry = 0
    /// Counts the tries, so that a connection made for an earlier one is not taken for the current one.
    private var attempt = 0
    private var attemptStarted = ContinuousClock.now
    private var retryWait: Scheduled<Void>?
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
    /// True when a stream's parts were written to the client and not yet flushed.
    private var unflushed = false

    init(_ request: RelayRequest, relay: Relay, pool: UpstreamPool, client: RelayHandler) {
        self.call = request.call
        self.request = request
        self.relay = relay
        self.pool = pool
        self.client = client
        self.assembler = request.endpoint.makeAssembler(hideUsageChunk: request.hideUsageChunk)
    }

    private var leg: RelayRequest.Leg { request.legs[legIndex] }
    private var route: ModelRouter.Route { leg.route }

    func start() {
        call.route = route
        call.trace.provider = route.providerName
        attempt += 1
        attemptStarted = .now
        phase = .connecting
        // The deployment's timeout bounds the whole try: connecting, sending, and waiting for the answer's head.
        timeout = pool.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(route.timeoutMs))) { [self] in timedOut() }
        pool.lease(leg.origin) { [self, attempt] in connected($0, attempt: attempt) }
    }

    /// Answers the call with a refusal (a key's model, budget or rate limit) without sending it.
    func reject(_ error: APIError) {
        fail(error)
    }

    private func connected(_ result: Result<UpstreamConnection, any Error>, attempt: Int) {
        guard attempt == self.attempt, case .connecting = phase else {
            // The client left, or the try timed out, while the connection was made.
            if case .success(let connection) = result { pool.release(connection) }
            return
        }
        switch result {
        case .failure(let error):
            timeout?.cancel()
            failTry(Proxy.apiError(forUpstream: error, route: route))
        case .success(let connection):
            self.connection = connection
            connectionWasReused = connection.wasUsed
            phase = .waitingForHead
            call.upstreamStarted = .now  // metrics: the last try sent is the one that answered
            connection.send(leg.head, body: leg.body, to: self)
        }
    }

    func upstreamHead(_ head: HTTPResponseHead) {
        guard case .waitingForHead = phase else { return }
        timeout?.cancel()
        if RetryPolicy.isRetryable(status: head.status.code), let next = next(asked: head.headers) {
            phase = .readingFailure(status: Int(head.status.code), next: next)
            return
        }
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
        client.write(.head(HTTPResponse(status: .init(code: call.trace.statusCode), headerFields: fields)), flush: false)
        unflushed = true
    }

    func upstreamReadComplete() {
        // One flush, so one system call, for everything a read from the provider brought.
        guard unflushed else { return }
        unflushed = false
        client.flush()
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
                // Relayed byte for byte as it arrives (flushed at the end of the read).
                client.write(.body(buffer), flush: false)
                unflushed = true
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
            if relayed.readableBytes > 0 {
                client.write(.body(relayed), flush: false)
                unflushed = true
            }
        case .readingFailure:
            if answer.readableBytes < 64 * 1024 { answer.writeImmutableBuffer(buffer) }
        case .connecting, .waitingForHead, .waitingToRetry, .done:
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
            call.settle(summary)
            // Priced first, for the cost header; the rest of the bookkeeping waits until the answer is on its way.
            var trace = relay.recorder.priced(call.trace, names: call.pricingNames)
            var fields = UpstreamHeaders.forAnswer(answerHead?.headers ?? [:], trace: trace)
            fields[.contentLength] = String(answer.readableBytes)
            write(status: .init(code: trace.statusCode), fields: fields, body: answer)
            (trace.response, trace.responseTruncated) = relay.recorder.storedBody(answer.readableBytesView)
            queue(trace, upstreamMs: call.upstreamMs) { [self] in client.callFinished() }
        case .streaming:
            // A last event without its blank line goes out as it came.
            let rest = parser.unterminatedBytes
            if request.hideUsageChunk, rest.readableBytes > 0 { client.write(.body(rest), flush: false) }
            client.write(.end(nil), flush: true)
            finishStream(assembler.isComplete ? .complete : .upstreamEndedEarly)
        case .readingFailure(let status, let next):
            endFailedTry(status: status, next: next)
        case .connecting, .waitingForHead, .waitingToRetry, .done:
            break
        }
    }

    /// Keeps a failed answer's message (from what of it was read) as the try's error, then goes on with `next`.
    private func endFailedTry(status: Int, next: Next) {
        let message = ResponseSummary(body: answer.readableBytesView).errorMessage ?? "provider answered HTTP \(status)"
        answer.clear()
        tryAgain(next, status: status, message: message)
    }

    /// What to do after a failed try, or nil when there is nothing left to try and the failure is the answer.
    private func next(asked headers: HTTPHeaders?) -> Next? {
        let wait = relay.retryPolicy.delay(retry: retry, headers: headers)
        if retry < (call.plan?.retries ?? 0), wait <= relay.retryPolicy.maxWait { return .retry(after: wait) }
        return legIndex < request.legs.count - 1 ? .nextDeployment : nil
    }

    /// Keeps the failed try in the trace, then tries the same deployment again or the next one.
    private func tryAgain(_ next: Next, status: Int?, message: String) {
        call.trace.attempts.append(TraceAttempt(
            provider: route.providerName, model: route.upstreamModel, statusCode: status, error: message,
            latencyMs: ProxyCall.milliseconds(ContinuousClock.now - attemptStarted)
        ))
        switch next {
        case .retry(let wait):
            retry += 1
            phase = .waitingToRetry
            retryWait = pool.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(wait)) { [self] in
                start()
            }
        case .nextDeployment:
            legIndex += 1
            retry = 0
            start()
        }
    }

    func upstreamFailed(_ error: any Error) {
        connection = nil
        switch phase {
        case .waitingForHead where connectionWasReused:
            // Sent on a connection the provider closed while it was idle: once more, on a new connection.
            connectionWasReused = false
            phase = .connecting
            pool.connect(leg.origin) { [self, attempt] in connected($0, attempt: attempt) }
        case .waitingForHead:
            timeout?.cancel()
            failTry(Proxy.apiError(forUpstream: error, route: route))
        case .readingFailure(let status, let next):
            endFailedTry(status: status, next: next)
        case .buffering:
            fail(.upstreamBadResponse(provider: route.providerName, detail: "the response broke off: \(error)"))
        case .streaming:
            // Closing without the final chunk tells the client the stream broke, as the provider's would. Recorded
            // first: the close tells this call the client has gone.
            finishStream(.upstreamFailed(error))
            client.close()
        case .connecting, .waitingToRetry, .done:
            break
        }
    }

    private func timedOut() {
        switch phase {
        case .connecting, .waitingForHead: break
        default: return
        }
        dropConnection()
        failTry(.upstreamTimeout(provider: route.providerName, timeoutMs: route.timeoutMs))
    }

    /// A try that got no answer: tried again when the plan allows, else the call fails with `error`.
    private func failTry(_ error: APIError) {
        guard let next = next(asked: nil) else { return fail(error) }
        tryAgain(next, status: nil, message: error.message)
    }

    /// The client has gone: the provider's call is dropped, and the trace says the call was cancelled.
    func clientClosed() {
        switch phase {
        case .done:
            return
        case .streaming:
            dropConnection()
            finishStream(.clientGone(ClientDisconnected()))
        case .connecting, .waitingForHead, .buffering, .readingFailure, .waitingToRetry:
            timeout?.cancel()
            retryWait?.cancel()
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
        write(status: status, fields: fields, body: body)
        client.callFinished()
    }

    /// Writes a whole answer and flushes it.
    private func write(status: HTTPResponse.Status, fields: HTTPFields, body: ByteBuffer) {
        client.write(.head(HTTPResponse(status: status, headerFields: fields)), flush: false)
        if body.readableBytes > 0 { client.write(.body(body), flush: false) }
        client.write(.end(nil), flush: true)
    }

    /// Prices and queues the trace without suspending, then goes on with `next`. When the queue is full, `next`
    /// waits for room, which holds back the answer (and the connection's next call) as the async path does.
    private func record(
        _ trace: Trace, pricedAs names: [String?], upstreamMs: Double?, errorCode: String? = nil, then next: @escaping (Trace) -> Void
    ) {
        let priced = relay.recorder.priced(trace, names: names)
        queue(priced, upstreamMs: upstreamMs, errorCode: errorCode) { next(priced) }
    }

    /// Queues a priced trace without suspending, then goes on with `next`. When the queue is full, `next` waits
    /// for room: the connection's next call is held back, so a full queue pushes back on clients and drops nothing.
    private func queue(_ priced: Trace, upstreamMs: Double?, errorCode: String? = nil, then next: @escaping () -> Void) {
        let recorder = relay.recorder
        recorder.tell(priced, upstreamMs: upstreamMs, errorCode: errorCode)
        if recorder.queue.tryEnqueue(priced) { return next() }
        // The client handler is held until `next` runs: the connection may close while the trace waits, and a
        // closed connection's handler ignores what `next` does with it.
        let resume = NIOLoopBound((next, client), eventLoop: pool.eventLoop)
        Task {
            await recorder.queue.enqueue(priced)
            resume.eventLoop.execute { withExtendedLifetime(resume.value.1) { resume.value.0() } }
        }
    }
}

/// The client closed its connection during a relayed call.
struct ClientDisconnected: Error, CustomStringConvertible {
    var description: String { "the client closed the connection" }
}
