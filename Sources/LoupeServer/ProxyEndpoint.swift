import LoupeCore
import LoupeProxy

/// The OpenAI endpoints Loupe understands; anything else under `/v1` is passed through.
enum ProxyEndpoint: Sendable {
    case chatCompletions
    case completions
    case embeddings
    case responses
    case passthrough

    /// True for endpoints whose body must be a JSON object naming a model.
    var requiresModel: Bool { self != .passthrough }

    /// True where `stream_options.include_usage` exists, so the proxy can ask for usage.
    var supportsStreamUsage: Bool { self == .chatCompletions || self == .completions }

    /// Where guardrails find this endpoint's text; nil for pass-through calls.
    var guardedFormat: GuardedText.Format? {
        switch self {
        case .chatCompletions: .chatCompletions
        case .completions: .completions
        case .embeddings: .embeddings
        case .responses: .responses
        case .passthrough: nil
        }
    }

    /// A fresh assembler for this endpoint's event stream.
    func makeAssembler(hideUsageChunk: Bool) -> any StreamAssembler {
        switch self {
        case .chatCompletions: ChatStreamAssembler(kind: .chat, hideUsageChunk: hideUsageChunk)
        case .completions: ChatStreamAssembler(kind: .completion, hideUsageChunk: hideUsageChunk)
        case .responses: ResponsesStreamAssembler()
        case .embeddings, .passthrough: OpaqueStreamAssembler()
        }
    }
}
