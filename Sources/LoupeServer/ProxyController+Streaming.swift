import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeProxy
import NIOCore
import NIOHTTP1

extension ProxyController {
    /// Relays an event stream to the client as it arrives, assembling the output on the side.
    ///
    /// When the proxy asked for usage itself, events are relayed whole so the usage chunk can be
    /// left out; otherwise each read is relayed the moment it arrives, byte for byte.
    func streamResponse(_ call: ProxyCall, upstream: HTTPClientResponse, assembler: any StreamAssembler, hideUsageChunk: Bool) -> Response {
        let recording = StreamRecording(call: call, recorder: recorder)
        let upstreamBody = upstream.body
        let body = ResponseBody { writer in
            var parser = SSEParser()
            var assembler = assembler
            var ending: StreamEnding = .complete
            do {
                for try await chunk in upstreamBody {
                    let events = parser.feed(chunk)
                    if hideUsageChunk {
                        var relay = ByteBuffer()
                        for event in events {
                            let disposition = assembler.consume(event)
                            if disposition.firstToken { recording.markFirstToken() }
                            if let data = disposition.rewrittenData {
                                relay.writeString("data: \(data)\n\n")
                            } else if disposition.forward {
                                relay.writeImmutableBuffer(event.raw)
                            }
                        }
                        if relay.readableBytes > 0 { try await Self.relay(relay, to: &writer) }
                    } else {
                        try await Self.relay(chunk, to: &writer)
                        for event in events where assembler.consume(event).firstToken {
                            recording.markFirstToken()
                        }
                    }
                }
                if hideUsageChunk {
                    let rest = parser.unterminatedBytes
                    if rest.readableBytes > 0 { try await Self.relay(rest, to: &writer) }
                }
                if !assembler.isComplete { ending = .upstreamEndedEarly }
            } catch let error as ClientGone {
                ending = .clientGone(error.underlying)
            } catch {
                ending = .upstreamFailed(error)
            }
            await recording.finish(ending, assembler: assembler)
            switch ending {
            case .complete, .upstreamEndedEarly:
                try await writer.finish(nil)
            case .clientGone(let error), .upstreamFailed(let error):
                // Closing without the final chunk tells the client the stream broke, as the provider's would.
                throw error
            }
        }
        return Response(
            status: HTTPResponse.Status(code: Int(upstream.status.code)),
            headers: UpstreamHeaders.forResponse(upstream.headers, traceID: call.trace.id),
            body: body
        )
    }

    private static func relay(_ buffer: ByteBuffer, to writer: inout any ResponseBodyWriter) async throws {
        do {
            try await writer.write(buffer)
        } catch {
            throw ClientGone(underlying: error)
        }
    }
}
