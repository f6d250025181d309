import AsyncHTTPClient
import Foundation
import LoupeCore
import LoupeEvals
import NIOCore
import NIOHTTP1

/// Asks models for the model-graded assertions through Loupe's proxy: the judge's prompt comes from the
/// registry (`evals/llm-rubric`, `evals/factuality`), and the judge's calls are traced like any other.
public struct ProxyEvalGrader: EvalGrader {
    public let baseURL: String
    let client: HTTPClient
    /// The judge when an assertion names none; nil lets the judge prompt's own config choose.
    let judgeModel: String?
    let embeddingModel: String
    let suite: String
    /// Sent as the bearer token when the server requires keys.
    let apiKey: String?

    public init(baseURL: String, client: HTTPClient, suite: String, judgeModel: String?, embeddingModel: String?, apiKey: String? = nil) {
        self.apiKey = apiKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.suite = suite
        self.judgeModel = judgeModel
        self.embeddingModel = embeddingModel ?? "text-embedding-3-small"
    }

    /// The judge's call failed or answered something unusable.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    public func judge(prompt: String, variables: [String: JSONValue], model: String?) async throws -> String {
        var body: [String: JSONValue] = [
            "prompt": .object(["name": .string(prompt), "variables": .object(variables)]),
            "temperature": .number(0),
        ]
        if let model = model ?? judgeModel { body["model"] = .string(model) }
        let answer = try await post("/v1/chat/completions", body, tags: "eval-judge,eval:\(suite)")
        guard case .array(let choices)? = answer["choices"], let content = choices.first?["message"]?["content"]?.stringValue else {
            throw Failure(description: "the judge's answer has no message content")
        }
        return content
    }

    public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
        let body: [String: JSONValue] = ["model": .string(model ?? embeddingModel), "input": .array(texts.map(JSONValue.string))]
        let answer = try await post("/v1/embeddings", body, tags: "eval-embedding,eval:\(suite)")
        guard case .array(let items)? = answer["data"], items.count == texts.count else {
            throw Failure(description: "the embeddings answer does not have one embedding per text")
        }
        return try items.map { item in
            guard case .array(let numbers)? = item["embedding"] else { throw Failure(description: "an embedding is not a list of numbers") }
            return numbers.compactMap { if case .number(let value) = $0 { value } else { nil } }
        }
    }

    private func post(_ path: String, _ body: [String: JSONValue], tags: String) async throws -> JSONValue {
        var call = HTTPClientRequest(url: baseURL + path)
        call.method = .POST
        call.headers.add(name: "content-type", value: "application/json")
        call.headers.add(name: "x-loupe-tags", value: tags)
        if let apiKey { call.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        call.body = .bytes(ByteBuffer(string: JSONValue.object(body).jsonText))
        let response = try await client.execute(call, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 32 * 1024 * 1024)
        let json = try? JSONValue.parse(bytes: bytes.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)), let json else {
            throw Failure(description: "\(path) answered HTTP \(response.status.code): \(json?["error"]?["message"]?.stringValue ?? String(buffer: bytes).prefix(200).description)")
        }
        return json
    }
}
