/// Token counts reported by a provider for one call. `nil` means the provider did not say.
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Prompt tokens, cached ones included.
    public var inputTokens: Int?
    /// Completion tokens, reasoning ones included.
    public var outputTokens: Int?
    /// The part of `inputTokens` served from the provider's prompt cache.
    public var cachedInputTokens: Int?
    /// The part of `outputTokens` spent on hidden reasoning.
    public var reasoningTokens: Int?
    /// The part of `inputTokens` written to the provider's prompt cache (Anthropic bills it above the input rate).
    public var cacheWriteInputTokens: Int?

    public init(
        inputTokens: Int? = nil, outputTokens: Int? = nil, cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil, cacheWriteInputTokens: Int? = nil
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.cacheWriteInputTokens = cacheWriteInputTokens
    }

    /// True when the provider reported no counts at all.
    public var isEmpty: Bool {
        inputTokens == nil && outputTokens == nil && cachedInputTokens == nil && reasoningTokens == nil && cacheWriteInputTokens == nil
    }
}
