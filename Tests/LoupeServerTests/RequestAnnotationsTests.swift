import HTTPTypes
import LoupeCore
@testable import LoupeServer
import Testing

/// The `X-Loupe-*` headers a client annotates its calls with, read in one pass over the fields.
@Suite struct RequestAnnotationsTests {
    @Test func repeatedHeadersCountAsOneJoinedValue() throws {
        var headers = HTTPFields()
        headers.append(HTTPField(name: RequestAnnotations.tagsHeader, value: "beta, web"))
        headers.append(HTTPField(name: .contentType, value: "application/json"))
        headers.append(HTTPField(name: RequestAnnotations.tagsHeader, value: "web,batch"))
        headers.append(HTTPField(name: RequestAnnotations.userHeader, value: ""))
        headers.append(HTTPField(name: RequestAnnotations.sessionHeader, value: "s-1"))
        let annotations = try RequestAnnotations(headers: headers)
        #expect(annotations.tags == ["beta", "web", "batch"])
        #expect(annotations.user == nil, "an empty user header is no user")
        #expect(annotations.sessionID == "s-1")
        #expect(annotations.metadata == nil)
    }

    @Test func aTraceparentJoinsTheMetadata() throws {
        var headers = HTTPFields()
        headers.append(HTTPField(name: RequestAnnotations.metadataHeader, value: #"{"team":"search"}"#))
        headers.append(HTTPField(name: RequestAnnotations.traceparentHeader, value: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        let metadata = try #require(try RequestAnnotations(headers: headers).metadata)
        #expect(metadata["team"] == .string("search"))
        #expect(metadata["otel_trace_id"] == .string("4bf92f3577b34da6a3ce929d0e0e4736"))
        #expect(metadata["otel_parent_span_id"] == .string("00f067aa0ba902b7"))
    }

    @Test func metadataThatIsNotAnObjectIsTheClientsError() {
        var headers = HTTPFields()
        headers.append(HTTPField(name: RequestAnnotations.metadataHeader, value: "[1]"))
        #expect { try RequestAnnotations(headers: headers) } throws: { error in
            (error as? APIError)?.code == "invalid_metadata"
        }
    }
}
