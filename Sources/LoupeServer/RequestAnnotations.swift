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
        // One pass over the fields: each `headers[name]` scans them all again, and builds its answer generically.
        var user: String?, session: String?, tags: String?, metadata: String?, traceparent: String?
        for field in headers {
            switch field.name {
            case Self.userHeader: Self.join(field.value, to: &user)
            case Self.sessionHeader: Self.join(field.value, to: &session)
            case Self.tagsHeader: Self.join(field.value, to: &tags)
            case Self.metadataHeader: Self.join(field.value, to: &metadata)
            case Self.traceparentHeader: Self.join(field.value, to: &traceparent)
            default: continue
            }
        }
        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        sessionID = session.flatMap { $0.isEmpty ? nil : $0 }
        if let tags {
            var seen = Set<String>()
            self.tags = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        if let metadata {
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
        if let traceparent, let parent = TraceParent(header: traceparent) {
            var metadata = self.metadata ?? [:]
            if metadata["otel_trace_id"] == nil {
                metadata["otel_trace_id"] = .string(parent.traceID)
                metadata["otel_parent_span_id"] = .string(parent.parentSpanID)
            }
            self.metadata = metadata
        }
    }

    static let traceparentHeader = HTTPField.Name("traceparent")!

    /// A repeated field's values, joined as `HTTPFields` joins them.
    private static func join(_ value: String, to joined: inout String?) {
        joined = joined.map { $0 + ", " + value } ?? value
    }
}
