import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import NIOCore

/// Builds the fake upstream's answers in OpenAI's wire format.
struct FakeResponder: Sendable {
    enum Kind { case chat, completion, embeddings, responses, models, files, unknown }

    let configuration: FakeOpenAIUpstream.Configuration
    let recorder: RequestRecorder

    static let defaultReply = "Hello from the fake upstream."

    func respond(_ request: Request, kind: Kind) async -> Response {
        let body = (try? await request.body.collect(upTo: 64 * 1024 * 1024)).map { String(buffer: $0) } ?? ""
        let headers = request.headers
        if configuration.recordRequests {
            var names: [String: String] = [:]
            for field in headers { names[field.name.canonicalName] = field.value }
            recorder.append(RecordedRequest(method: request.method.rawValue, path: request.uri.description, headers: names, body: body))
        }
        if let key = configuration.requiredAPIKey, headers[.authorization] != "Bearer \(key)" {
            return Self.error(401, "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key")
        }
        if let delay = header(headers, "x-fake-delay-ms").flatMap(Int.init), delay > 0 {
            try? await Task.sleep(for: .milliseconds(delay))
        }
        if let status = header(headers, "x-fake-status").flatMap(Int.init) {
            var response = Self.error(status, "The fake upstream was told to answer \(status).", type: status == 429 ? "requests" : "server_error", code: status == 429 ? "rate_limit_exceeded" : nil)
            if let retry = header(headers, "x-fake-retry-after") { response.headers[HTTPField.Name("retry-after")!] = retry }
            return response
        }
        switch kind {
        case .models:
            let models = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"].map { id in
                JSONValue.object(["id": .string(id), "object": .string("model"), "created": .number(1_700_000_000), "owned_by": .string("openai")])
            }
            return Self.json(.object(["object": .string("list"), "data": .array(models)]))
        case .files:
            return Self.json(.object(["object": .string("list"), "data": .array([])]))
        case .unknown:
            return Self.error(404, "Unknown request URL: \(request.method.rawValue) \(request.uri.path).", type: "invalid_request_error", code: "unknown_url")
        case .chat, .completion, .embeddings, .responses:
            break
        }
        guard case .object(let json)? = JSONValue.parse(body) else {
            return Self.error(400, "We could not parse the JSON body of your request.", type: "invalid_request_error", code: nil)
        }
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            return Self.error(400, "you must provide a model parameter", type: "invalid_request_error", code: nil, param: "model")
        }
        let call = FakeCall(json: json, model: model, headers: headers)
        switch kind {
        case .chat: return call.chat()
        case .completion: return call.completion()
        case .embeddings: return call.embeddings()
        default: return call.responses()
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.jsonText)))
    }

    static func error(_ status: Int, _ message: String, type: String, code: String?, param: String? = nil) -> Response {
        json(
            .object(["error": .object([
                "message": .string(message), "type": .string(type),
                "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null,
            ])]),
            status: HTTPResponse.Status(code: status)
        )
    }
}

func header(_ headers: HTTPFields, _ name: String) -> String? {
    HTTPField.Name(name).flatMap { headers[$0] }
}

/// Whitespace-separated words: the fake's token count.
func wordCount(_ text: String) -> Int {
    text.split(whereSeparator: \.isWhitespace).count
}
