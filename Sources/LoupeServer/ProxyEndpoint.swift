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

/// Follows a stream Loupe has no format for: forwards everything and reads usage where it can.
struct OpaqueStreamAssembler: StreamAssembler {
    private(set) var summary = ResponseSummary()
    private var sawData = false

    var isComplete: Bool { true }

    mutating func consume(_ event: SSEEvent) -> StreamEventDisposition {
        guard let data = event.data else { return StreamEventDisposition(forward: true, firstToken: false) }
        let details = ResponseSummary(body: Array(data.utf8))
        if !details.usage.isEmpty { summary.usage = details.usage }
        if let model = details.upstreamModel { summary.upstreamModel = model }
        let first = !sawData
        sawData = true
        return StreamEventDisposition(forward: true, firstToken: first)
    }

    func assembledResponse() -> String { "" }
}
