import AsyncHTTPClient
import LoupeCore
import LoupeTestSupport
import NIOCore
import NIOHTTP1

/// One answer of the fake upstream, as a client over a real socket received it.
struct FakeUpstreamReply {
    var status: Int
    var headers: HTTPHeaders
    var body: String
    var json: JSONValue? { JSONValue.parse(body) }

    /// POSTs `body` as JSON to `path` under the fake's `/v1`, with `headers`.
    static func post(_ upstream: RunningFakeUpstream, path: String, body: String, headers: [(String, String)]) async throws -> Self {
        var request = HTTPClientRequest(url: upstream.baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Self(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}
