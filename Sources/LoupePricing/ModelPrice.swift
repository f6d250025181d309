import LoupeCore

/// List prices for one model, per million tokens.
public struct ModelPrice: Sendable, Hashable {
    public var provider: String?
    /// Price per 1M input tokens.
    public var input: USD
    /// Price per 1M output tokens; nil for models without output (embeddings).
    public var output: USD?
    /// Price per 1M input tokens read from the prompt cache; nil means the input price.
    public var cachedInput: USD?
    /// Price per 1M reasoning tokens; nil means the output price.
    public var reasoning: USD?

    /// Per million input tokens written to the prompt cache; nil bills them as input.
    public var cacheWriteInput: USD?

    public init(provider: String? = nil, input: USD, output: USD? = nil, cachedInput: USD? = nil, reasoning: USD? = nil, cacheWriteInput: USD? = nil) {
        self.provider = provider
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.reasoning = reasoning
        self.cacheWriteInput = cacheWriteInput
    }

    /// The exact cost of a call with these token counts.
    ///
    /// Cached input tokens (read from and written to the prompt cache) are part of the input count and
    /// reasoning tokens part of the output count, as OpenAI reports them; each part is billed at its own rate.
    public func cost(of usage: TokenUsage) -> USD {
        let input = Int128(max(0, usage.inputTokens ?? 0))
        let cached = min(input, Int128(max(0, usage.cachedInputTokens ?? 0)))
        let cacheWrite = min(input - cached, Int128(max(0, usage.cacheWriteInputTokens ?? 0)))
        let output = Int128(max(0, usage.outputTokens ?? 0))
        let reasoning = min(output, Int128(max(0, usage.reasoningTokens ?? 0)))
        // Token counts times pico-dollars per million tokens, summed in 128 bits and divided
        // once at the end, so the result is exact to the pico-dollar and cannot overflow.
        var total: Int128 = 0
        total += (input - cached - cacheWrite) * Int128(self.input.picos)
        total += cached * Int128((cachedInput ?? self.input).picos)
        total += cacheWrite * Int128((cacheWriteInput ?? self.input).picos)
        if let outputPrice = self.output {
            total += (output - reasoning) * Int128(outputPrice.picos)
            total += reasoning * Int128((self.reasoning ?? outputPrice).picos)
        }
        return USD(picos: Int64(clamping: Self.divideRoundingHalfUp(total, by: 1_000_000)))
    }

    private static func divideRoundingHalfUp(_ value: Int128, by divisor: Int128) -> Int128 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder * 2 >= divisor ? quotient + 1 : quotient
    }
}
