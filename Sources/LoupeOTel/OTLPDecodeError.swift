/// An OTLP body or one span in it that could not be read: says what was wrong, for the sender's error message.
public struct OTLPDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
