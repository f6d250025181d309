import HTTPTypes

extension HTTPField.Name {
    /// The reply text to use instead of `Hello from the fake upstream.`
    static let fakeReply = Self("x-fake-reply")!
    /// Answer with this status and an OpenAI-shaped error.
    static let fakeStatus = Self("x-fake-status")!
    /// With `x-fake-status`: the `Retry-After` value to send.
    static let fakeRetryAfter = Self("x-fake-retry-after")!
    /// Milliseconds to wait before the response head.
    static let fakeDelayMilliseconds = Self("x-fake-delay-ms")!
    /// Milliseconds to wait between stream events.
    static let fakeChunkDelayMilliseconds = Self("x-fake-chunk-delay-ms")!
    /// Send this many stream events, then break the connection.
    static let fakeCutAfter = Self("x-fake-cut-after")!
    /// Stream the reply in pieces of this many characters, so a word can be split across events.
    static let fakePieceLength = Self("x-fake-piece-length")!
    /// Cached prompt tokens to report.
    static let fakeCachedTokens = Self("x-fake-cached-tokens")!
    /// Reasoning tokens to report, counted inside the completion tokens.
    static let fakeReasoningTokens = Self("x-fake-reasoning-tokens")!
    /// Prompt tokens to report as read from Anthropic's prompt cache (`/v1/messages`).
    static let fakeCacheReadTokens = Self("x-fake-cache-read-tokens")!
    /// Prompt tokens to report as written to Anthropic's prompt cache (`/v1/messages`).
    static let fakeCacheWriteTokens = Self("x-fake-cache-write-tokens")!
    /// With `tools` in the request: answer with a call to the function of this name.
    static let fakeToolCall = Self("x-fake-tool-call")!
    /// Anthropic's API key header.
    static let anthropicAPIKey = Self("x-api-key")!
    /// The Anthropic API version a client must name.
    static let anthropicVersion = Self("anthropic-version")!
    /// `Retry-After`, which HTTPTypes does not name.
    static let retryAfter = Self("retry-after")!
}
