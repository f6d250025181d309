import LoupeCore

/// Rebuilds a Responses API stream (`event: response.*`); usage comes from `response.completed`.
public struct ResponsesStreamAssembler: StreamAssembler {
    private var text = ""
    private var finalResponse: String?
    private var sawToken = false
    private var finished = false
    public private(set) var summary = ResponseSummary()

    public init() {}

    public var isComplete: Bool { finished }

    public mutating func consume(_ event: SSEEvent) -> StreamEventDisposition {
        guard let data = event.data, let json = JSONValue.parse(data) else {
            return StreamEventDisposition(forward: true, firstToken: false)
        }
        let type = json["type"]?.stringValue ?? event.event ?? ""
        var carriesToken = false
        switch type {
        case "response.output_text.delta", "response.refusal.delta", "response.function_call_arguments.delta":
            if let delta = json["delta"]?.stringValue, !delta.isEmpty {
                if type == "response.output_text.delta" { text += delta }
                carriesToken = true
            }
        case "response.completed", "response.incomplete", "response.failed":
            finished = true
            let details = ResponseSummary(json: json)
            summary.usage = details.usage
            summary.upstreamModel = details.upstreamModel ?? summary.upstreamModel
            if type == "response.failed" {
                summary.errorMessage = json["response"]?["error"]?["message"]?.stringValue ?? "the provider reported the response as failed"
            }
            finalResponse = Self.rawMember("response", of: data)
        case "response.created", "response.in_progress":
            summary.upstreamModel = json["response"]?["model"]?.stringValue ?? summary.upstreamModel
        case "error":
            summary.errorMessage = json["message"]?.stringValue ?? json["error"]?["message"]?.stringValue ?? "the provider sent an error event"
        default:
            break
        }
        let firstToken = carriesToken && !sawToken
        sawToken = sawToken || carriesToken
        return StreamEventDisposition(forward: true, firstToken: firstToken)
    }

    public func assembledResponse() -> String {
        if let finalResponse { return finalResponse }
        // The stream ended early: keep the text that did arrive.
        var object: [String: JSONValue] = [
            "object": .string("response"),
            "status": .string("incomplete"),
            "output_text": .string(text),
        ]
        if let model = summary.upstreamModel { object["model"] = .string(model) }
        return JSONValue.object(object).jsonText
    }

    /// The raw bytes of one top-level member of a JSON object, as text.
    private static func rawMember(_ key: String, of json: String) -> String? {
        let bytes = Array(json.utf8)
        guard let member = JSONObjectScanner.members(of: bytes)?.members.first(where: { $0.key == key }) else { return nil }
        return String(decoding: bytes[member.valueRange], as: UTF8.self)
    }
}
