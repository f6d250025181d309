import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Answers every request to the fake: records it, checks the key, applies the control headers,
/// then routes it. A plain switch instead of a router keeps the hot path short.
struct FakeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let recorder: RequestRecorder
    let recordRequests: Bool
    /// The key a request must carry, when one is required.
    let requiredAPIKey: String?
    /// `Bearer <key>` when a key is required.
    let expectedAuthorization: String?
    let scriptedReplies: [FakeScriptedReply]

    static let maximumBodySize = 64 * 1024 * 1024

    init(configuration: FakeOpenAIUpstream.Configuration, recorder: RequestRecorder) {
        self.recorder = recorder
        self.recordRequests = configuration.recordRequests
        self.requiredAPIKey = configuration.requiredAPIKey
        self.expectedAuthorization = configuration.requiredAPIKey.map { "Bearer \($0)" }
        self.scriptedReplies = configuration.scriptedReplies
    }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        await answer(request).response
    }

    private func answer(_ request: Request) async -> FakeAnswer {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumBodySize)
        } catch {
            return FakeReply.error(413, "The request body is larger than the fake upstream's limit of \(Self.maximumBodySize) bytes.", type: "invalid_request_error")
        }
        let headers = request.headers
        if recordRequests { record(method: request.method, path: request.uri.description, headers: headers, body: body) }
        // A base URL such as `/status/503/v1` or `/delay/2000/v1` makes one provider of the fake fail or lag.
        var path = request.uri.path
        while let control = FakePathControl(taking: &path) {
            switch control {
            case .status(let status):
                var answer = FakeReply.error(status: status)
                if let retryAfter = headers[.fakeRetryAfter] { answer.headers[.retryAfter] = retryAfter }
                return answer
            case .delay(let milliseconds):
                try? await Task.sleep(for: .milliseconds(milliseconds))
            }
        }
        // Anthropic's route checks its own key header and answers in Anthropic's error shape.
        if request.method == .post, path == "/v1/messages" { return await anthropicMessages(body, headers) }
        guard isAuthorized(headers) else {
            return FakeReply.error(401, "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key")
        }
        await pause(for: headers)
        if let value = headers[.fakeStatus] {
            guard let status = Int(value), (400..<600).contains(status) else {
                return FakeReply.error(400, "x-fake-status must be an error status from 400 to 599, not \(value).", type: "invalid_request_error", param: "x-fake-status")
            }
            var answer = FakeReply.error(status: status)
            if let retryAfter = headers[.fakeRetryAfter] { answer.headers[.retryAfter] = retryAfter }
            return answer
        }
        return route(request.method, path, body: body, headers: headers)
    }

    /// Whether the request carries the key, when one is required.
    func isAuthorized(_ headers: HTTPFields) -> Bool {
        expectedAuthorization.map { headers[.authorization] == $0 } ?? true
    }

    /// The answer of an OpenAI route, once the controls have been applied.
    func route(_ method: HTTPRequest.Method, _ path: String, body: ByteBuffer, headers: HTTPFields) -> FakeAnswer {
        switch (method, path) {
        case (.post, "/v1/chat/completions"): return generate(body, headers) { $0.chatCompletion() }
        case (.post, "/v1/completions"): return generate(body, headers) { $0.completion() }
        case (.post, "/v1/embeddings"): return generate(body, headers) { $0.embeddings() }
        case (.post, "/v1/responses"): return generate(body, headers) { $0.response() }
        case (.get, "/v1/models"): return FakeReply.json(Self.models)
        case (.get, "/v1/files"): return FakeReply.json(Self.files)
        default:
            return FakeReply.error(404, "Invalid URL (\(method.rawValue) \(path))", type: "invalid_request_error")
        }
    }

    /// Waits as long as `x-fake-delay-ms` asks before the response head.
    func pause(for headers: HTTPFields) async {
        if let delay = headers[.fakeDelayMilliseconds].flatMap(Int.init), delay > 0 {
            try? await Task.sleep(for: .milliseconds(delay))
        }
    }

    /// Parses the body, checks the model, and lets `reply` answer.
    private func generate(_ body: ByteBuffer, _ headers: HTTPFields, reply: (FakeCall) -> FakeAnswer) -> FakeAnswer {
        guard let json = FakeJSON.parse(body), case .object = json else {
            return FakeReply.error(
                400,
                "We could not parse the JSON body of your request. The OpenAI API expects a JSON object as the body.",
                type: "invalid_request_error"
            )
        }
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            return FakeReply.error(400, "you must provide a model parameter", type: "invalid_request_error", param: "model")
        }
        return reply(FakeCall(request: json, model: model, headers: headers, scriptedReplies: scriptedReplies, recorder: recorder))
    }

    /// Keeps the request for inspection; header values of a repeated name are joined with `, `.
    func record(method: HTTPRequest.Method, path: String, headers: HTTPFields, body: ByteBuffer) {
        var joined: [String: String] = [:]
        for field in headers {
            let name = field.name.canonicalName
            if let earlier = joined[name] {
                joined[name] = earlier + ", " + field.value
            } else {
                joined[name] = field.value
            }
        }
        recorder.append(RecordedRequest(method: method.rawValue, path: path, headers: joined, body: String(buffer: body)))
    }

    /// `GET /v1/models`, prepared once.
    static let models: ByteBuffer = {
        let models = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"].map { id -> FakeJSON in
            ["id": .string(id), "object": "model", "created": 1_715_367_049, "owned_by": "openai"]
        }
        let list: FakeJSON = ["object": "list", "data": .array(models)]
        return ByteBuffer(string: list.text)
    }()

    /// `GET /v1/files`, prepared once.
    static let files = ByteBuffer(string: #"{"object":"list","data":[]}"#)
}
