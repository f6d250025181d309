import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeGuardrails
import LoupeProxy
import NIOCore
import NIOHTTP1

extension ProxyController {
    /// Relays an event stream to the client as it arrives, assembling the output on the side.
    ///
    /// When the proxy asked for usage itself, or output guardrails apply, events are relayed whole so they
    /// can be left out or rewritten; otherwise each read is relayed the moment it arrives, byte for byte.
    /// `body` is the upstream's body, or the OpenAI chunks it stands for when the provider speaks another format.
    func streamResponse<Body: AsyncSequence & Sendable>(
        _ call: ProxyCall, upstream: HTTPClientResponse, body upstreamBody: Body, assembler: any StreamAssembler, hideUsageChunk: Bool
    ) -> Response where Body.Element == ByteBuffer {
        let recording = StreamRecording(call: call, recorder: recorder)
        var guarded: GuardedStream?
        if let policy = call.guardrails, !policy.output.isEmpty, let format = call.guardedFormat {
            guarded = GuardedStream(policy: policy, format: format)
        }
        let judge = ProxyJudge(proxy: self)
        let eventMode = hideUsageChunk || guarded != nil
        let body = ResponseBody { [guarded] writer in
            var parser = SSEParser()
            var assembler = assembler
            var guarded = guarded
            var ending: StreamEnding = .complete
            var blocked: GuardrailBlock?
            // What the client got, for the response cache when this call's answer is to be cached.
            var kept: ByteBuffer? = call.cacheKey == nil ? nil : ByteBuffer()
            do {
                reading: for try await chunk in upstreamBody {
                    let events = parser.feed(chunk)
                    guard eventMode else {
                        try await Self.relay(chunk, to: &writer, keeping: &kept)
                        for event in events where assembler.consume(event).firstToken {
                            recording.markFirstToken()
                        }
                        continue
                    }
                    var relay = ByteBuffer()
                    for event in events {
                        let disposition = assembler.consume(event)
                        if disposition.firstToken { recording.markFirstToken() }
                        guard var outgoing = event.relayed(disposition) else { continue }
                        if guarded != nil {
                            switch guarded!.process(outgoing) {
                            case .relay(let bytes): outgoing.raw = bytes
                            case .block(let block):
                                blocked = block
                                break reading
                            }
                        }
                        relay.writeImmutableBuffer(outgoing.raw)
                    }
                    if relay.readableBytes > 0 { try await Self.relay(relay, to: &writer, keeping: &kept) }
                }
                // A last event without its blank line goes out as it came, unless guardrails rewrite events.
                if eventMode && guarded == nil {
                    let rest = parser.unterminatedBytes
                    if rest.readableBytes > 0 { try await Self.relay(rest, to: &writer, keeping: &kept) }
                }
                if blocked == nil, guarded != nil {
                    switch await guarded!.finish(judge: judge) {
                    case .relay(let bytes): if bytes.readableBytes > 0 { try await Self.relay(bytes, to: &writer, keeping: &kept) }
                    case .block(let block): blocked = block
                    }
                }
                if let blocked, let guarded {
                    // The answer stops here; the provider's call is dropped with the rest of its stream.
                    ending = .blocked(blocked)
                    try await Self.relay(guarded.errorEvent(.guardrailViolation(blocked)), to: &writer, keeping: &kept)
                } else if !assembler.isComplete {
                    ending = .upstreamEndedEarly
                }
            } catch let error as ClientGone {
                ending = .clientGone(error.underlying)
            } catch {
                ending = .upstreamFailed(error)
            }
            let recorded = await recording.finish(ending, assembler: assembler, guarded: guarded)
            if case .complete = ending, let kept, let recorded {
                remember(kept, stream: true, contentType: upstream.headers.first(name: "content-type"), trace: recorded, call: call)
            }
            switch ending {
            case .complete, .upstreamEndedEarly, .blocked:
                try await writer.finish(nil)
            case .clientGone(let error), .upstreamFailed(let error):
                // Closing without the final chunk tells the client the stream broke, as the provider's would.
                throw error
            }
        }
        var headers = UpstreamHeaders.forResponse(upstream.headers, traceID: call.trace.id)
        if call.cacheKey != nil { headers[Self.cacheHeader] = "MISS" }
        return Response(status: HTTPResponse.Status(code: Int(upstream.status.code)), headers: headers, body: body)
    }

    /// The largest streamed answer the response cache keeps.
    static var maxCachedStreamBytes: Int { 8 << 20 }

    private static func relay(_ buffer: ByteBuffer, to writer: inout any ResponseBodyWriter, keeping kept: inout ByteBuffer?) async throws {
        do {
            try await writer.write(buffer)
        } catch {
            throw ClientGone(underlying: error)
        }
        if kept != nil {
            kept!.writeImmutableBuffer(buffer)
            if kept!.readableBytes > maxCachedStreamBytes { kept = nil }
        }
    }
}
