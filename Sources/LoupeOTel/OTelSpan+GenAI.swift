import Foundation
import LoupeCore

extension OTelSpan {
    /// The Loupe trace endpoint prefix of traces made from ingested spans: `otel:chat`, `otel:embeddings`, …
    public static let ingestedEndpointPrefix = "otel:"

    /// True for a span that describes a model call: it names a model, or a provider (GenAI semantic conventions,
    /// current or deprecated, or OpenInference). Agent and tool spans without either stay plain spans.
    public var isGenAI: Bool {
        model(requested: true) != nil || model(requested: false) != nil || provider != nil
    }

    /// The span as a Loupe trace, and the model names to price it by (best first); nil for a span that is not GenAI.
    public func genAITrace() -> (trace: Trace, pricedAs: [String?])? {
        guard isGenAI else { return nil }
        let operation = string("gen_ai.operation.name") ?? string("openinference.span.kind")?.lowercased() ?? "chat"
        let requested = model(requested: true)
        let reported = model(requested: false)
        var usage = TokenUsage()
        usage.inputTokens = int("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt")
        usage.outputTokens = int("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion")
        usage.cachedInputTokens = int("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read")
        usage.cacheWriteInputTokens = int("gen_ai.usage.cache_creation.input_tokens", "llm.token_count.prompt_details.cache_write")
        usage.reasoningTokens = int("gen_ai.usage.reasoning_tokens", "llm.token_count.completion_details.reasoning")

        var metadata: [String: JSONValue] = [
            "otel_trace_id": .string(traceID), "otel_span_id": .string(spanID), "otel_span_name": .string(name),
        ]
        if let parentSpanID { metadata["otel_parent_span_id"] = .string(parentSpanID) }
        if let service = serviceName { metadata["service_name"] = .string(service) }
        for key in Self.keptAttributes { if let value = attributes[key] { metadata[key] = value } }

        let failed = statusCode == 2
        let trace = Trace(
            id: loupeTraceID ?? Self.loupeTraceID(traceID: traceID, spanID: spanID, startNanos: startTimeUnixNano),
            createdAt: Date(timeIntervalSince1970: Double(startTimeUnixNano) / 1_000_000_000),
            endpoint: Self.ingestedEndpointPrefix + operation,
            provider: provider, model: requested ?? reported, upstreamModel: reported,
            stream: attributes["gen_ai.request.stream"] == .bool(true),
            status: failed ? .error : .ok, statusCode: failed ? 500 : 200,
            error: failed ? (statusMessage ?? string("error.type") ?? "the span's status is ERROR") : nil,
            latencyMs: durationMs, usage: usage,
            user: string("user.id", "enduser.id"), sessionID: string("session.id", "gen_ai.conversation.id"),
            metadata: metadata,
            request: content("gen_ai.input.messages", "gen_ai.prompt", "input.value", "llm.input_messages"),
            response: content("gen_ai.output.messages", "gen_ai.completion", "output.value", "llm.output_messages")
        )
        return (trace, [reported, requested])
    }

    /// Attributes copied into the trace's metadata as they are.
    static let keptAttributes = [
        "gen_ai.response.id", "gen_ai.response.finish_reasons", "gen_ai.request.temperature", "gen_ai.request.max_tokens",
        "gen_ai.request.top_p", "gen_ai.agent.name", "llm.invocation_parameters",
    ]

    var provider: String? { string("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system") }

    func model(requested: Bool) -> String? {
        requested ? string("gen_ai.request.model", "llm.model_name") : string("gen_ai.response.model")
    }

    private func string(_ keys: String...) -> String? {
        for key in keys { if let value = attributes[key]?.stringValue, !value.isEmpty { return value } }
        return nil
    }

    private func int(_ keys: String...) -> Int? {
        for key in keys {
            if let value = attributes[key]?.intValue { return value }
            if let text = attributes[key]?.stringValue, let value = Int(text) { return value }
        }
        return nil
    }

    /// Message content, as text (strings as they are, structured values as JSON).
    private func content(_ keys: String...) -> String? {
        for key in keys {
            switch attributes[key] {
            case .string(let text)?: return text
            case let value? where value != .null: return value.jsonText
            default: continue
            }
        }
        return nil
    }

    /// A UUIDv7-shaped id made from the span's ids and start: the same span sent twice becomes the same trace,
    /// which the store keeps once, so an exporter's retry does not count a call twice.
    public static func loupeTraceID(traceID: String, spanID: String, startNanos: UInt64) -> String {
        let millis = startNanos / 1_000_000
        let spanBytes = OTLPBatch.bytes(hex: spanID) ?? []
        let traceBytes = OTLPBatch.bytes(hex: traceID) ?? []
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * UInt64(5 - index))) }
        let mixed = spanBytes + traceBytes.suffix(2)
        for index in 6..<16 where index - 6 < mixed.count { bytes[index] = mixed[index - 6] }
        bytes[6] = bytes[6] & 0x0F | 0x70  // version 7
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 9562 variant
        let hex = OTLPBatch.hex(bytes)
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }
}
