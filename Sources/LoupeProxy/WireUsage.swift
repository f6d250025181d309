import LoupeCore

/// The `usage` object of any OpenAI-style response: Chat Completions and Embeddings name the
/// counts `prompt_tokens`/`completion_tokens`, the Responses API `input_tokens`/`output_tokens`.
struct WireUsage: Decodable {
    var prompt_tokens: Int?
    var completion_tokens: Int?
    var input_tokens: Int?
    var output_tokens: Int?
    var prompt_tokens_details: Details?
    var completion_tokens_details: Details?
    var input_tokens_details: Details?
    var output_tokens_details: Details?

    struct Details: Decodable {
        var cached_tokens: Int?
        var reasoning_tokens: Int?
    }

    var tokenUsage: TokenUsage {
        TokenUsage(
            inputTokens: prompt_tokens ?? input_tokens,
            outputTokens: completion_tokens ?? output_tokens,
            cachedInputTokens: prompt_tokens_details?.cached_tokens ?? input_tokens_details?.cached_tokens,
            reasoningTokens: completion_tokens_details?.reasoning_tokens ?? output_tokens_details?.reasoning_tokens
        )
    }
}

/// An error object as providers put it in a body or a stream event.
struct WireError: Decodable {
    var message: String?
    var type: String?
    var code: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        // Codes are strings at OpenAI and numbers at some compatible servers.
        code = (try? container.decodeIfPresent(String.self, forKey: .code)) ?? (try? container.decodeIfPresent(Int.self, forKey: .code)).flatMap { $0.map(String.init) }
    }

    enum CodingKeys: String, CodingKey { case message, type, code }
}
