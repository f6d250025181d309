/// A search `filter` or `order_by` that cannot be used: what is wrong with it and how to write it instead.
///
/// The message is what the server returns as a 400 `INVALID_PARAMETER_VALUE`.
public struct SearchFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A readable sentence for the user, naming the offending key or text.
    public var message: String

    /// Wraps a message that already says what went wrong and what to do.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
