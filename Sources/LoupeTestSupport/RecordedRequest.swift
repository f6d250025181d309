/// One request as the fake upstream received it.
public struct RecordedRequest: Sendable {
    /// The HTTP method, such as `POST`.
    public let method: String
    /// The path with its query string.
    public let path: String
    /// Header values by lowercased name; repeated headers are joined with `, `.
    public let headers: [String: String]
    /// The body as text.
    public let body: String
}
