import LoupeCore

/// What the proxy learns from a complete (non-streamed) response body.
public struct ResponseSummary: Sendable, Equatable {
    public var upstreamModel: String?
    public var usage: TokenUsage
    /// The provider's error message, for error responses.
    public var errorMessage: String?

    public init(upstreamModel: String? = nil, usage: TokenUsage = TokenUsage(), errorMessage: String? = nil) {
        self.upstreamModel = upstreamModel
        self.usage = usage
        self.errorMessage = errorMessage
    }

    /// Reads the model, usage and error from any OpenAI-style JSON body; empty when it is not one.
    public init(body: some Collection<UInt8>) {
        self.init(json: try? JSONValue.parse(bytes: body, keepingMembers: Self.members))
    }

    /// The top-level members read; the rest of an answer (its choices, its output) is checked but not built.
    static let members: Set<String> = ["model", "usage", "error", "response"]

    /// Reads the model, usage and error from a parsed body; Responses API events wrap them in `response`.
    public init(json: JSONValue?) {
        self.init()
        guard let json else { return }
        let inner = json["response"]
        upstreamModel = json["model"]?.stringValue ?? inner?["model"]?.stringValue
        usage = TokenUsage(wire: json["usage"]) ?? TokenUsage(wire: inner?["usage"]) ?? TokenUsage()
        errorMessage = json["error"]?["message"]?.stringValue
    }
}
