import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeOTel

/// What the client tells Loupe about a call through `X-Loupe-*` headers; never forwarded upstream.
struct RequestAnnotations: Sendable {
    var user: String?
    var sessionID: String?
    var tags: [String] = []
    var metadata: [String: JSONValue]?

    static let userHeader = HTTPField.Name("x-loupe-user")!
    static let sessionHeader = HTTPField.Name("x-loupe-session")!
    static let tagsHeader = HTTPField.Name("x-loupe-tags")!
    static let metadataHeader = HTTPField.Name("x-loupe-metadata")!
    /// True for the annotations a shadow copy of a call carries too: session, tags and metadata, not the user.
    static func travelsWithCopies(_ name: HTTPField.Name) -> Bool {
        name == sessionHeader || name == tagsHeader || name == metadataHeader
    }

    static let traceIDHeader = HTTPField.Name("x-loupe-trace-id")!
    /// On buffered answers: the call's cost in US dollars, exact (`0.000123`); absent when the model has no price.
    static let costHeader = HTTPField.Name("x-loupe-cost-usd")!

    /// Reads the headers; a metadata header that is not a JSON object is a client error.
    init(headers: HTTPFields) throws(APIError) {
        user = headers[Self.userHeader].flatMap { $0.isEmpty ? nil : $0 }
        sessionID = headers[Self.sessionHeader].flatMap { $0.isEmpty ? nil : $0 }
        if let tags = headers[Self.tagsHeader] {
            var seen = Set<String>()
            self.tags = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        if let metadata = headers[Self.metadataHeader] {
            guard case .object(let members)? = JSONValue.parse(metadata) else {
                throw APIError(
                    status: .badRequest,
                    message: "The X-Loupe-Metadata header must be a JSON object, such as {\"team\":\"search\"}.",
                    code: "invalid_metadata", param: "X-Loupe-Metadata"
                )
            }
            self.metadata = members
        }
        // A W3C traceparent ties the call to the app's own trace: kept in metadata, and the exported span joins it.
        if let header = headers[Self.traceparentHeader], let parent = TraceParent(header: header) {
            var metadata = self.metadata ?? [:]
            if metadata["otel_trace_id"] == nil {
                metadata["otel_trace_id"] = .string(parent.traceID)
                metadata["otel_parent_span_id"] = .string(parent.parentSpanID)
            }
            self.metadata = metadata
        }
    }

    static let traceparentHeader = HTTPField.Name("traceparent")!
}
