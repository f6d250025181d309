import Foundation

/// The trace as the query API shows it. Field names are part of the API.
extension Trace: Codable {
    enum CodingKeys: String, CodingKey {
        case id, created_at, endpoint, provider, model, upstream_model, stream, status, status_code, error
        case latency_ms, ttft_ms, input_tokens, output_tokens, cached_input_tokens, cache_write_input_tokens, reasoning_tokens, cost_usd
        case user, session_id, tags, metadata, request, response, request_truncated, response_truncated
        case prompt_name, prompt_version, guardrails, key_id, key_name
        case variant, parent_trace_id, cache_hit, cost_saved_usd, attempts
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(TimeExpression.iso8601(createdAt), forKey: .created_at)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(provider, forKey: .provider)
        try c.encode(model, forKey: .model)
        try c.encode(upstreamModel, forKey: .upstream_model)
        try c.encode(stream, forKey: .stream)
        try c.encode(status, forKey: .status)
        try c.encode(statusCode, forKey: .status_code)
        try c.encode(error, forKey: .error)
        try c.encode(latencyMs, forKey: .latency_ms)
        try c.encode(ttftMs, forKey: .ttft_ms)
        try c.encode(usage.inputTokens, forKey: .input_tokens)
        try c.encode(usage.outputTokens, forKey: .output_tokens)
        try c.encode(usage.cachedInputTokens, forKey: .cached_input_tokens)
        try c.encode(usage.cacheWriteInputTokens, forKey: .cache_write_input_tokens)
        try c.encode(usage.reasoningTokens, forKey: .reasoning_tokens)
        try c.encode(cost, forKey: .cost_usd)
        try c.encode(user, forKey: .user)
        try c.encode(sessionID, forKey: .session_id)
        try c.encode(tags, forKey: .tags)
        try c.encode(metadata, forKey: .metadata)
        // Bodies that are JSON are shown as JSON, anything else (a truncated body) as a string.
        try c.encode(request.map { JSONValue.parse($0) ?? .string($0) }, forKey: .request)
        try c.encode(response.map { JSONValue.parse($0) ?? .string($0) }, forKey: .response)
        try c.encode(requestTruncated, forKey: .request_truncated)
        try c.encode(responseTruncated, forKey: .response_truncated)
        try c.encode(promptName, forKey: .prompt_name)
        try c.encode(promptVersion, forKey: .prompt_version)
        try c.encode(guardrails, forKey: .guardrails)
        try c.encode(keyID, forKey: .key_id)
        try c.encode(keyName, forKey: .key_name)
        try c.encode(variant, forKey: .variant)
        try c.encode(parentTraceID, forKey: .parent_trace_id)
        try c.encode(cacheHit, forKey: .cache_hit)
        try c.encode(costSaved, forKey: .cost_saved_usd)
        try c.encode(attempts, forKey: .attempts)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let created = try c.decode(String.self, forKey: .created_at)
        guard let createdAt = TimeExpression.parseISO8601(created) else {
            throw DecodingError.dataCorruptedError(forKey: .created_at, in: c, debugDescription: "not an ISO 8601 time: \(created)")
        }
        func body(_ key: CodingKeys) throws -> String? {
            switch try c.decodeIfPresent(JSONValue.self, forKey: key) {
            case .none, .some(.null): nil
            case .some(.string(let text)): text
            case .some(let value): value.jsonText
            }
        }
        self.init(
            id: try c.decode(String.self, forKey: .id),
            createdAt: createdAt,
            endpoint: try c.decode(String.self, forKey: .endpoint),
            provider: try c.decodeIfPresent(String.self, forKey: .provider),
            model: try c.decodeIfPresent(String.self, forKey: .model),
            upstreamModel: try c.decodeIfPresent(String.self, forKey: .upstream_model),
            stream: try c.decode(Bool.self, forKey: .stream),
            status: try c.decode(TraceStatus.self, forKey: .status),
            statusCode: try c.decode(Int.self, forKey: .status_code),
            error: try c.decodeIfPresent(String.self, forKey: .error),
            latencyMs: try c.decode(Double.self, forKey: .latency_ms),
            ttftMs: try c.decodeIfPresent(Double.self, forKey: .ttft_ms),
            usage: TokenUsage(
                inputTokens: try c.decodeIfPresent(Int.self, forKey: .input_tokens),
                outputTokens: try c.decodeIfPresent(Int.self, forKey: .output_tokens),
                cachedInputTokens: try c.decodeIfPresent(Int.self, forKey: .cached_input_tokens),
                reasoningTokens: try c.decodeIfPresent(Int.self, forKey: .reasoning_tokens),
                cacheWriteInputTokens: try c.decodeIfPresent(Int.self, forKey: .cache_write_input_tokens)
            ),
            cost: try c.decodeIfPresent(USD.self, forKey: .cost_usd),
            user: try c.decodeIfPresent(String.self, forKey: .user),
            sessionID: try c.decodeIfPresent(String.self, forKey: .session_id),
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
            metadata: try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata),
            request: try body(.request),
            response: try body(.response),
            requestTruncated: try c.decodeIfPresent(Bool.self, forKey: .request_truncated) ?? false,
            responseTruncated: try c.decodeIfPresent(Bool.self, forKey: .response_truncated) ?? false,
            promptName: try c.decodeIfPresent(String.self, forKey: .prompt_name),
            promptVersion: try c.decodeIfPresent(Int.self, forKey: .prompt_version),
            guardrails: try c.decodeIfPresent([GuardrailResult].self, forKey: .guardrails) ?? [],
            keyID: try c.decodeIfPresent(String.self, forKey: .key_id),
            keyName: try c.decodeIfPresent(String.self, forKey: .key_name),
            variant: try c.decodeIfPresent(String.self, forKey: .variant),
            parentTraceID: try c.decodeIfPresent(String.self, forKey: .parent_trace_id),
            cacheHit: try c.decodeIfPresent(Bool.self, forKey: .cache_hit) ?? false,
            costSaved: try c.decodeIfPresent(USD.self, forKey: .cost_saved_usd),
            attempts: try c.decodeIfPresent([TraceAttempt].self, forKey: .attempts) ?? []
        )
    }
}
