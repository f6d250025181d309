import AsyncHTTPClient
import Foundation
import Hummingbird
import LoupeConfig
import LoupeCore
import LoupeProxy
import NIOCore
import NIOHTTP1

/// Providers of `type: anthropic`: OpenAI chat requests go out as Messages API requests, and answers, errors and
/// stream events come back in OpenAI's shapes, so clients keep using the OpenAI SDK.
extension ProxyController {
    /// The Messages API version Loupe speaks, unless the client names one.
    static var anthropicVersion: String { "2023-06-01" }

    /// The Messages request for a chat call to `route`; other endpoints have no translation and are refused.
    func anthropicRequest(
        for route: ModelRouter.Route, _ request: Request, body: [UInt8], parsed: ProxyRequestBody?, endpoint: ProxyEndpoint, upstreamModel: String
    ) throws(APIError) -> HTTPClientRequest {
        guard endpoint == .chatCompletions, parsed != nil else {
            throw APIError(
                status: .badRequest,
                message: "Provider '\(route.providerName)' speaks Anthropic's Messages API; Loupe translates only /v1/chat/completions to it, not \(request.uri.path).",
                code: "unsupported_endpoint"
            )
        }
        let chat: JSONValue
        do {
            chat = try JSONValue.parse(bytes: body)
        } catch {
            throw .malformedJSON("\(error)")
        }
        let messages: JSONValue
        do throws(AnthropicTranslationError) {
            messages = try AnthropicRequest.messagesBody(fromChat: chat, upstreamModel: upstreamModel)
        } catch {
            throw APIError(status: .badRequest, message: error.message, code: "unsupported_for_provider")
        }
        var upstreamRequest = HTTPClientRequest(url: route.provider.baseURL + "/messages")
        upstreamRequest.method = .POST
        var headers = UpstreamHeaders.forRequest(request.headers, apiKey: nil)
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        if let key = route.provider.apiKey { headers.replaceOrAdd(name: "x-api-key", value: key) }
        if !headers.contains(name: "anthropic-version") { headers.add(name: "anthropic-version", value: Self.anthropicVersion) }
        upstreamRequest.headers = headers
        upstreamRequest.body = .bytes(ByteBuffer(string: messages.jsonText))
        return upstreamRequest
    }

    /// An Anthropic answer as OpenAI's: a message becomes a `chat.completion`, an error OpenAI's error body.
    static func openAIBody(fromAnthropic body: ByteBuffer, status: Int, model: String) -> ByteBuffer {
        let json = try? JSONValue.parse(bytes: body.readableBytesView)
        guard (200..<300).contains(status), let json, json["type"]?.stringValue == "message" else {
            return ByteBuffer(string: AnthropicResponse.openAIError(fromAnthropic: json, status: status).jsonText)
        }
        let created = Int(Date().timeIntervalSince1970)
        let completion = AnthropicResponse.chatCompletion(fromMessage: json, model: json["model"]?.stringValue ?? model, created: created)
        return ByteBuffer(string: completion.jsonText)
    }
}

/// An Anthropic event stream read as the OpenAI chunk stream it stands for, so the proxy's stream handling
/// (assembly, usage, guardrails, time to first token) works on it unchanged.
struct AnthropicChunkStream<Upstream: AsyncSequence & Sendable>: AsyncSequence, Sendable where Upstream.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let upstream: Upstream
    let model: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var upstream: Upstream.AsyncIterator
        var parser = SSEParser()
        var translator: AnthropicStreamTranslator

        mutating func next() async throws -> ByteBuffer? {
            while let chunk = try await upstream.next() {
                let events = parser.feed(chunk).flatMap { translator.translate($0) }
                if !events.isEmpty { return ByteBuffer(string: events.joined()) }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        // Usage always comes: the proxy needs it for the cost, and hides the chunk from a client that did not ask.
        AsyncIterator(
            upstream: upstream.makeAsyncIterator(),
            translator: AnthropicStreamTranslator(model: model, created: Int(Date().timeIntervalSince1970), includeUsage: true)
        )
    }
}
