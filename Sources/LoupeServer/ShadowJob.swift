import HTTPTypes

/// A copy of a client's call, to be sent to a shadow model off the response path.
struct ShadowJob: Sendable {
    /// The trace of the client's call, which the shadow's trace links to.
    var parentTraceID: String
    var path: String
    var endpoint: ProxyEndpoint
    /// The client's session, tags and metadata headers; never its credentials or its user.
    var headers: HTTPFields
    /// The request as forwarded (prompt rendered, input redacted), naming the shadow model instead.
    var body: [UInt8]
    var promptName: String?
    var promptVersion: Int?
}
