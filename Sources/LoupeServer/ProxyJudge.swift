import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupeGuardrails
import NIOCore
import Synchronization

/// Answers `llm_judge` rules by sending a chat request through this Loupe's own proxy: the judge's
/// prompt comes from the registry, and its call is traced and priced like any other.
struct ProxyJudge<Context: RequestContext>: GuardrailJudge {
    let proxy: ProxyController<Context>

    /// The judge's call failed or said something unusable.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func answer(_ judge: LLMJudge, text: String, direction: GuardrailResult.Direction) async throws -> String {
        var reference: [String: JSONValue] = [
            "name": .string(judge.prompt),
            "variables": .object(["text": .string(text), "direction": .string(direction.rawValue)]),
        ]
        if let label = judge.label { reference["label"] = .string(label) }
        var request: [String: JSONValue] = ["prompt": .object(reference), "temperature": .number(0)]
        if let model = judge.model { request["model"] = .string(model) }
        let head = HTTPRequest(method: .post, scheme: "http", authority: "loupe", path: "/v1/chat/completions", headerFields: [
            .contentType: "application/json", RequestAnnotations.tagsHeader: "guardrail-judge",
        ])
        let call = Request(head: head, body: RequestBody(buffer: ByteBuffer(string: JSONValue.object(request).jsonText)))
        let sink = BodySink()
        try await withTimeout(.milliseconds(judge.timeoutMs), operation: "ask the guardrail judge") {
            let response = await proxy.proxy(call, endpoint: .chatCompletions, origin: .judge)
            sink.status.withLock { $0 = response.status.code }
            try await response.body.write(CollectingBodyWriter(sink: sink))
        }
        let status = sink.status.withLock { $0 } ?? 500
        let json = sink.buffer.withLock { try? JSONValue.parse(bytes: $0.readableBytesView) }
        guard (200..<300).contains(status) else {
            throw Failure(description: "the judge call answered HTTP \(status): \(json?["error"]?["message"]?.stringValue ?? "no message")")
        }
        guard case .array(let choices)? = json?["choices"], let content = choices.first?["message"]?["content"]?.stringValue else {
            throw Failure(description: "the judge's answer has no message content")
        }
        return content
    }
}

/// What a response the server makes to itself carried.
final class BodySink: Sendable {
    let status = Mutex<Int?>(nil)
    let buffer = Mutex(ByteBuffer())
}

/// Gathers a response body in memory, for a response the server makes to itself.
struct CollectingBodyWriter: ResponseBodyWriter {
    let sink: BodySink

    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.buffer.withLock { collected in
            var buffer = buffer
            collected.writeBuffer(&buffer)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
