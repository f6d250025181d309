import Foundation
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
    public init(body: some Sequence<UInt8>) {
        self.init()
        let data = Data(body)
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: data) else { return }
        upstreamModel = envelope.model ?? envelope.response?.model
        usage = (envelope.usage ?? envelope.response?.usage)?.tokenUsage ?? TokenUsage()
        errorMessage = envelope.error?.message
    }

    private struct Envelope: Decodable {
        var model: String?
        var usage: WireUsage?
        var error: WireError?
        /// Responses API events wrap the response object.
        var response: Inner?

        struct Inner: Decodable {
            var model: String?
            var usage: WireUsage?
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            model = try? container.decodeIfPresent(String.self, forKey: .model)
            usage = try? container.decodeIfPresent(WireUsage.self, forKey: .usage)
            error = try? container.decodeIfPresent(WireError.self, forKey: .error)
            response = try? container.decodeIfPresent(Inner.self, forKey: .response)
        }

        enum CodingKeys: String, CodingKey { case model, usage, error, response }
    }
}
