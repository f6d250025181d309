import LoupeCore
import LoupeGuardrails
import LoupeProxy
import Synchronization

/// How a relayed stream ended.
enum StreamEnding {
    case complete
    case upstreamEndedEarly
    case upstreamFailed(any Error)
    case clientGone(any Error)
    /// An output guardrail stopped the answer.
    case blocked(GuardrailBlock)
}

/// A write to the client failed: the client has gone away.
struct ClientGone: Error {
    var underlying: any Error
}

/// Records a streamed call exactly once: when the stream ends, or as cancelled if the response
/// is dropped before it ran (the client left before the head was written).
final class StreamRecording: Sendable {
    private struct State {
        var call: ProxyCall?
        var firstTokenMs: Double?
    }

    private let state: Mutex<State>
    private let recorder: TraceRecorder
    private let started: ContinuousClock.Instant

    init(call: ProxyCall, recorder: TraceRecorder) {
        self.state = Mutex(State(call: call))
        self.recorder = recorder
        self.started = call.started
    }

    func markFirstToken() {
        let elapsed = ProxyCall.milliseconds(ContinuousClock.now - started)
        state.withLock { if $0.firstTokenMs == nil { $0.firstTokenMs = elapsed } }
    }

    /// Records the call; returns the trace as stored, or nil when it was recorded already.
    @discardableResult
    func finish(_ ending: StreamEnding, assembler: any StreamAssembler, guarded: GuardedStream? = nil) async -> Trace? {
        guard let (taken, names, upstreamMs) = take(ending, assembler: assembler) else { return nil }
        var trace = taken
        guarded?.annotate(&trace)
        return await recorder.record(trace, pricedAs: names, upstreamMs: upstreamMs)
    }

    deinit {
        let pending = state.withLock { $0.call }
        guard var trace = pending?.trace else { return }
        trace.status = .cancelled
        trace.error = "the client disconnected before the stream started"
        trace.latencyMs = ProxyCall.milliseconds(ContinuousClock.now - started)
        recorder.recordWithoutWaiting(trace, pricedAs: [])
    }

    /// The finished trace, the model names to price it by and the providers' time, for a caller that records it
    /// itself; nil when it was taken already.
    func take(_ ending: StreamEnding, assembler: any StreamAssembler) -> (Trace, [String?], upstreamMs: Double?)? {
        state.withLock { state -> (Trace, [String?], upstreamMs: Double?)? in
            guard var finished = state.call else { return nil }
            state.call = nil
            // The providers' time is taken first, so it never exceeds the call's whole time (metrics subtract them).
            finished.upstreamFinished()
            var trace = finished.trace
            let summary = assembler.summary
            trace.upstreamModel = summary.upstreamModel
            trace.usage = summary.usage
            trace.ttftMs = state.firstTokenMs
            trace.latencyMs = ProxyCall.milliseconds(ContinuousClock.now - started)
            let assembled = assembler.assembledResponse()
            if !assembled.isEmpty { (trace.response, trace.responseTruncated) = recorder.storedBody(Array(assembled.utf8)) }
            switch ending {
            case .complete:
                trace.status = summary.errorMessage == nil ? .ok : .error
                trace.error = summary.errorMessage
            case .upstreamEndedEarly:
                trace.status = .error
                trace.error = summary.errorMessage ?? "the provider's stream ended before its final event"
            case .upstreamFailed(let error):
                trace.status = .error
                trace.error = "the provider's stream broke off: \(error)"
            case .blocked(let block):
                trace.status = .error
                trace.error = block.description
            case .clientGone:
                trace.status = .cancelled
                trace.error = "the client disconnected during the stream; the upstream call was cancelled"
            }
            finished.trace = trace
            return (trace, finished.pricingNames, finished.upstreamMs)
        }
    }
}
