import AsyncHTTPClient
import Foundation
import HTTPTypes
import LoupeCore
import LoupeEvals
import LoupePrompts
import NIOCore
import NIOHTTP1

/// Sends eval cases through Loupe's proxy over HTTP (the server in this process, or a running one), so each
/// case leaves a trace, priced and linked to its prompt version, exactly as an app's call would.
public struct ProxyEvalTarget: EvalTarget {
    /// The Loupe server, such as `http://127.0.0.1:4000`.
    public let baseURL: String
    let client: HTTPClient
    let prompts: any PromptStore
    /// Tags every call's trace: `eval` and `eval:<suite>`.
    let suite: String
    let timeout: TimeAmount
    /// Sent as the bearer token when the server requires keys.
    let apiKey: String?

    public init(baseURL: String, client: HTTPClient, prompts: any PromptStore, suite: String, apiKey: String? = nil, timeout: TimeAmount = .seconds(120)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.prompts = prompts
        self.suite = suite
        self.apiKey = apiKey
        self.timeout = timeout
    }

    public func resolve(_ prompt: EvalPrompt) async throws -> EvalPrompt {
        guard case .registry(let name, let label, let version) = prompt else { return prompt }
        let selector: PromptSelector = version.map(PromptSelector.version) ?? label.map(PromptSelector.label) ?? .deployed
        guard let found = try await prompts.promptVersion(name: name, selector) else {
            throw EvalSuiteError("unknown prompt reference '\(prompt.displayName)': the registry has no \(selector) of '\(name)'; push it with `loupe prompts push`")
        }
        return .registry(name: name, label: nil, version: found.version)
    }

    public func complete(_ request: EvalRequest) async throws(EvalCallError) -> EvalOutput {
        var body = request.parameters
        body["model"] = .string(request.model)
        switch request.prompt {
        case .registry(let name, let label, let version):
            var reference: [String: JSONValue] = ["name": .string(name), "variables": .object(request.vars)]
            if let version { reference["version"] = .number(Double(version)) } else if let label { reference["label"] = .string(label) }
            body["prompt"] = .object(reference)
        case .inline(let text):
            let rendered: String
            do { rendered = try EvalTemplate.render(text, vars: request.vars) } catch { throw EvalCallError(message: error.description, retryable: false) }
            body["messages"] = .array([.object(["role": .string("user"), "content": .string(rendered)])])
        }
        if let tools = request.tools { body["tools"] = tools }
        body["stream"] = nil

        var call = HTTPClientRequest(url: baseURL + "/v1/chat/completions")
        call.method = .POST
        call.headers.add(name: "content-type", value: "application/json")
        call.headers.add(name: "x-loupe-tags", value: "eval,eval:\(suite)")
        if let apiKey { call.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        call.body = .bytes(ByteBuffer(string: JSONValue.object(body).jsonText))
        let clock = ContinuousClock()
        let started = clock.now
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(call, timeout: timeout)
            bytes = try await response.body.collect(upTo: 32 * 1024 * 1024)
        } catch {
            throw EvalCallError(message: "the call to \(baseURL) failed: \(error)", retryable: true)
        }
        let elapsed = clock.now - started
        let json = try? JSONValue.parse(bytes: bytes.readableBytesView)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let message = json?["error"]?["message"]?.stringValue ?? String(buffer: bytes).prefix(300).description
            throw EvalCallError(
                message: message, status: status, retryable: status == 408 || status == 429 || status >= 500,
                retryAfterSeconds: response.headers.first(name: "retry-after").flatMap(Double.init)
            )
        }
        guard let json, case .array(let choices)? = json["choices"], let first = choices.first else {
            throw EvalCallError(message: "the answer has no choices", status: status, retryable: false)
        }
        var toolCalls: [EvalToolCall] = []
        if case .array(let calls)? = first["message"]?["tool_calls"] {
            for item in calls {
                guard let name = item["function"]?["name"]?.stringValue else { continue }
                toolCalls.append(EvalToolCall(name: name, arguments: item["function"]?["arguments"]?.stringValue ?? "{}"))
            }
        }
        return EvalOutput(
            text: first["message"]?["content"]?.stringValue ?? "",
            toolCalls: toolCalls,
            finishReason: first["finish_reason"]?.stringValue,
            latencyMs: ProxyCall.milliseconds(elapsed),
            costUSD: response.headers.first(name: RequestAnnotations.costHeader.rawName).flatMap(Double.init),
            inputTokens: json["usage"]?["prompt_tokens"]?.intValue,
            outputTokens: json["usage"]?["completion_tokens"]?.intValue,
            traceID: response.headers.first(name: RequestAnnotations.traceIDHeader.rawName)
        )
    }

    public func inputText(_ request: EvalRequest) async -> String {
        switch request.prompt {
        case .inline(let text):
            return (try? EvalTemplate.render(text, vars: request.vars)) ?? text
        case .registry(let name, let label, let version):
            let selector: PromptSelector = version.map(PromptSelector.version) ?? label.map(PromptSelector.label) ?? .deployed
            guard let renderer = try? await prompts.renderer(name: name, selector), let template = try? renderer.render(request.vars) else {
                return JSONValue.object(request.vars).jsonText
            }
            switch template {
            case .text(let text): return text
            case .chat(let messages): return messages.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
            }
        }
    }
}
