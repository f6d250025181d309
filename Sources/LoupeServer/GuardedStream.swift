import LoupeCore
import LoupeGuardrails
import LoupeProxy
import NIOCore

/// Applies a policy's output rules to an event stream as it is relayed: each answer's text goes through
/// a `GuardrailStreamFilter`, events are rewritten with what it releases, and a block ends the stream.
///
/// When a `block` rule can only judge a complete answer (JSON schema), every event is held until the
/// stream ends, so a rejected answer never reaches the client.
struct GuardedStream {
    /// What to send now.
    enum Outcome {
        case relay(ByteBuffer)
        case block(GuardrailBlock)
    }

    let policy: GuardrailPolicy
    let format: GuardedText.Format
    let holding: Bool
    private var filters: [String: GuardrailStreamFilter] = [:]
    /// Answers in the order they first appeared.
    private var keys: [String] = []
    /// The last event that carried each answer's text, to build an event for held-back text.
    private var templates: [String: (event: String?, json: JSONValue, path: JSONPath)] = [:]
    private var held = ByteBuffer()
    private var completeResults: [GuardrailResult] = []

    init(policy: GuardrailPolicy, format: GuardedText.Format) {
        self.policy = policy
        self.format = format
        self.holding = policy.holdsStreamedOutput
    }

    /// Everything the rules found so far.
    var results: [GuardrailResult] {
        var evaluation = GuardrailEvaluation(texts: [])
        for key in keys { evaluation.merge(filters[key]?.results.results ?? []) }
        evaluation.merge(completeResults)
        return evaluation.results
    }

    /// Takes one event as the client would get it.
    mutating func process(_ event: SSEEvent) -> Outcome {
        guard let data = event.data, data != "[DONE]", var json = JSONValue.parse(data) else {
            var out = ByteBuffer()
            if event.data == "[DONE]" {
                // Text still held back goes out before the end marker.
                switch flushAll() {
                case .relay(let flushed): out = flushed
                case .block(let block): return .block(block)
                }
            }
            out.writeImmutableBuffer(event.raw)
            return send(out)
        }
        var out = ByteBuffer()
        var changed = false
        for delta in GuardedText.deltas(format, in: json) {
            var released = ""
            if case .string(let text)? = json[path: delta.path] {
                templates[delta.key] = (event.event, json, delta.path)
                switch step(delta.key, { $0.feed(text) }) {
                case .emit(let emitted): released = emitted
                case .block(let block): return .block(block)
                }
            }
            if delta.ends {
                switch step(delta.key, { $0.finish() }) {
                case .emit(let emitted): released += emitted
                case .block(let block): return .block(block)
                }
            }
            if json[path: delta.path] != nil || !released.isEmpty {
                json.set(.string(released), at: delta.path)
                changed = true
            }
        }
        // Responses events that repeat a finished text get the text as released.
        for (key, path) in GuardedText.repeatedTexts(in: json) where filters[key] != nil {
            switch step(key, { $0.finish() }) {
            case .emit(let rest): if !rest.isEmpty { out.writeImmutableBuffer(synthesized(key, text: rest)) }
            case .block(let block): return .block(block)
            }
            json.set(.string(filters[key]?.released ?? ""), at: path)
            changed = true
        }
        if changed {
            out.writeImmutableBuffer(Self.encode(event: event.event, json))
        } else {
            out.writeImmutableBuffer(event.raw)
        }
        return send(out)
    }

    /// At the end of the stream: releases what is held back, then runs the rules that judge whole answers.
    mutating func finish(judge: (any GuardrailJudge)?) async -> Outcome {
        var out: ByteBuffer
        switch flushAll() {
        case .relay(let flushed): out = flushed
        case .block(let block): return .block(block)
        }
        let wholeText = policy.completeTextRules(.output)
        if !wholeText.output.isEmpty {
            let answers = keys.compactMap { filters[$0]?.released }
            let evaluation = await wholeText.evaluate(answers, direction: .output, judge: judge)
            completeResults = evaluation.results
            if let block = evaluation.block { return .block(block) }
        }
        guard holding else { return .relay(out) }
        var all = held
        all.writeBuffer(&out)
        held.clear()
        return .relay(all)
    }

    /// The error event that ends a blocked stream, in the endpoint's own shape.
    func errorEvent(_ error: APIError) -> ByteBuffer {
        if format == .responses {
            let event: JSONValue = .object([
                "type": .string("error"), "code": error.code.map(JSONValue.string) ?? .null, "message": .string(error.message),
                "param": error.param.map(JSONValue.string) ?? .null,
            ])
            return Self.encode(event: "error", event)
        }
        return Self.encode(event: nil, .object(["error": error.errorObject]))
    }

    /// Runs `body` on the answer's filter, creating it on first use, and keeps what it found.
    private mutating func step(_ key: String, _ body: (inout GuardrailStreamFilter) -> GuardrailStreamFilter.Step) -> GuardrailStreamFilter.Step {
        if filters[key] == nil {
            keys.append(key)
            filters[key] = GuardrailStreamFilter(policy: policy)
        }
        return body(&filters[key]!)
    }

    private mutating func flushAll() -> Outcome {
        var out = ByteBuffer()
        for key in keys {
            switch step(key, { $0.finish() }) {
            case .emit(let rest): if !rest.isEmpty { out.writeImmutableBuffer(synthesized(key, text: rest)) }
            case .block(let block): return .block(block)
            }
        }
        return .relay(out)
    }

    /// An event like the answer's last one, carrying `text`; a stream cut short has no other place for it.
    private func synthesized(_ key: String, text: String) -> ByteBuffer {
        guard var template = templates[key] else { return ByteBuffer() }
        template.json.set(.string(text), at: template.path)
        return Self.encode(event: template.event, template.json)
    }

    private mutating func send(_ bytes: ByteBuffer) -> Outcome {
        guard holding else { return .relay(bytes) }
        var bytes = bytes
        held.writeBuffer(&bytes)
        return .relay(ByteBuffer())
    }

    static func encode(event: String?, _ json: JSONValue) -> ByteBuffer {
        var text = event.map { "event: \($0)\n" } ?? ""
        text += "data: \(json.jsonText)\n\n"
        return ByteBuffer(string: text)
    }
}

extension GuardedStream {
    /// Puts the results on the trace, and masks its stored answer as the client received it.
    func annotate(_ trace: inout Trace) {
        trace.guardrails += results
        guard trace.guardrails.contains(where: { $0.direction == .output && $0.action != .flag }),
              let stored = trace.response, let json = JSONValue.parse(stored)
        else { return }
        let paths = GuardedText.responsePaths(format, in: json)
        let masked = policy.maskedForRecord(GuardedText.texts(at: paths, in: json), direction: .output)
        trace.response = GuardedText.replacing(paths, in: json, with: masked).jsonText
    }
}
