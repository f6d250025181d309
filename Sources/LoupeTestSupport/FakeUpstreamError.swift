/// The fake upstream failed: it could not start, or it broke a stream on purpose.
public struct FakeUpstreamError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}
