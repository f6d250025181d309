import LoupeProxy
import NIOCore

extension SSEEvent {
    /// The event as the client gets it, after the assembler said what to do with it; nil when it is left out.
    func relayed(_ disposition: StreamEventDisposition) -> SSEEvent? {
        if let data = disposition.rewrittenData {
            return SSEEvent(event: event, data: data, raw: ByteBuffer(string: "data: \(data)\n\n"))
        }
        return disposition.forward ? self : nil
    }
}
