/// How a proxied call ended.
public enum TraceStatus: String, Sendable, Codable, CaseIterable {
    /// The provider answered with a 2xx and the response was delivered whole.
    case ok
    /// Loupe or the provider answered with an error, or the upstream stream broke.
    case error
    /// The client went away before the response was complete.
    case cancelled
}
