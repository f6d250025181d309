import LoupeCore

/// Follows a provider's event stream and rebuilds the response it amounts to.
public protocol StreamAssembler: Sendable {
    /// Takes one event in arrival order and says what to do with it.
    mutating func consume(_ event: SSEEvent) -> StreamEventDisposition
    /// True once the stream's own end marker arrived; a stream that stops before is cut.
    var isComplete: Bool { get }
    /// Model, usage and any error the stream reported.
    var summary: ResponseSummary { get }
    /// The whole output as one JSON response, as the non-streamed call would have returned it.
    func assembledResponse() -> String
}

/// What the proxy does with one event.
public struct StreamEventDisposition: Sendable, Equatable {
    /// False for events the client did not ask for, such as a usage chunk the proxy requested.
    public var forward: Bool
    /// True for the first event that carries output: the time to first token.
    public var firstToken: Bool
    /// The event's data to send instead of the original, when the proxy must edit it.
    public var rewrittenData: String?

    public init(forward: Bool, firstToken: Bool, rewrittenData: String? = nil) {
        self.forward = forward
        self.firstToken = firstToken
        self.rewrittenData = rewrittenData
    }
}
