import LoupeCore

/// Reading OpenAI-style fields out of parsed JSON.
extension TokenUsage {
    /// Reads a `usage` object: Chat Completions and Embeddings name the counts
    /// `prompt_tokens`/`completion_tokens`, the Responses API `input_tokens`/`output_tokens`.
    init?(wire usage: JSONValue?) {
        guard case .object(let fields)? = usage else { return nil }
        self.init(
            inputTokens: fields["prompt_tokens"]?.intValue ?? fields["input_tokens"]?.intValue,
            outputTokens: fields["completion_tokens"]?.intValue ?? fields["output_tokens"]?.intValue,
            cachedInputTokens: (fields["prompt_tokens_details"] ?? fields["input_tokens_details"])?["cached_tokens"]?.intValue,
            reasoningTokens: (fields["completion_tokens_details"] ?? fields["output_tokens_details"])?["reasoning_tokens"]?.intValue,
            // Anthropic's cache writes, as LiteLLM and Loupe's Anthropic translation put them in OpenAI's usage.
            cacheWriteInputTokens: fields["cache_creation_input_tokens"]?.intValue
        )
    }
}
