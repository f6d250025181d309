import LoupeCore
import LoupeProxy

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
