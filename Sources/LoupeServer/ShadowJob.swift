import HTTPTypes
import LoupeCore

/// A copy of a client's call, to be sent to a shadow model off the response path.
struct ShadowJob: Sendable {
    /// The trace of the client's call, which the shadow's trace links to.
    var parentTraceID: String
    /// The model the copy goes to.
    var model: String
    var path: String
    var endpoint: ProxyEndpoint
    /// The client's annotation headers (user, session, tags, metadata); never its credentials.
    var headers: HTTPFields
    /// The request as forwarded (prompt rendered, input redacted), with the shadow model's name.
    var body: [UInt8]
    /// The key the client's call came with: the shadow's cost counts against it too.
    var key: VirtualKey?
    var promptName: String?
    var promptVersion: Int?
}
