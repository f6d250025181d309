import NIOCore

/// One server-sent event block: the lines up to and including the blank line that ends it.
public struct SSEEvent: Sendable {
    /// The `event:` field, if any.
    public var event: String?
    /// The `data:` lines joined by newlines; nil for a block with no data (a comment or keep-alive).
    public var data: String?
    /// The exact bytes of the block as received, for forwarding unchanged.
    public var raw: ByteBuffer

    public init(event: String?, data: String?, raw: ByteBuffer) {
        self.event = event
        self.data = data
        self.raw = raw
    }
}
