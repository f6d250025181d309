import Foundation

/// What a cost report needs of one call: its group keys, tokens, cost, outcome and latency.
public struct CostFact: Sendable, Hashable {
    public var createdAtMillis: Int64
    public var model: String?
    public var provider: String?
    public var user: String?
    /// Distinct, in first-seen order: a tag repeated on one call counts that call once.
    public var tags: [String]
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var costPicos: Int64?
    public var isError: Bool
    public var latencyMs: Double
    /// `name@version` of the registry prompt the call was rendered from.
    public var prompt: String?
    /// The virtual key's name (names are unique among keys), when auth is on.
    public var key: String?

    /// Keys are kept as the stores keep them, with NUL replaced, so that rollups and stored rows agree.
    public init(
        createdAtMillis: Int64, model: String?, provider: String?, user: String?, tags: [String],
        inputTokens: Int64?, outputTokens: Int64?, costPicos: Int64?, isError: Bool, latencyMs: Double, prompt: String? = nil,
        key: String? = nil
    ) {
        self.createdAtMillis = createdAtMillis
        self.model = model?.withoutNUL
        self.provider = provider?.withoutNUL
        self.user = user?.withoutNUL
        var seen = Set<String>()
        self.tags = tags.map(\.withoutNUL).filter { seen.insert($0).inserted }
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costPicos = costPicos
        self.isError = isError
        self.latencyMs = latencyMs
        self.prompt = prompt?.withoutNUL
        self.key = key?.withoutNUL
    }

    /// The facts of a stored trace.
    public init(_ trace: Trace) {
        self.init(
            createdAtMillis: trace.createdAt.unixMillis, model: trace.model, provider: trace.provider, user: trace.user,
            tags: trace.tags, inputTokens: trace.usage.inputTokens.map(Int64.init),
            outputTokens: trace.usage.outputTokens.map(Int64.init), costPicos: trace.cost?.picos,
            isError: trace.status == .error, latencyMs: trace.latencyMs,
            prompt: Self.promptKey(name: trace.promptName, version: trace.promptVersion), key: trace.keyName
        )
    }

    /// The UTC day of the call, counted from 1970-01-01.
    public var day: Int64 { CostRollup.day(ofMillis: createdAtMillis) }

    /// The group keys of this call under `dimension`: one, except for tags (one per tag, or nil for none).
    public func keys(for dimension: CostDimension) -> [String?] {
        switch dimension {
        case .model: [model]
        case .provider: [provider]
        case .user: [user]
        case .day: [CostRollup.dayString(day)]
        case .tag: tags.isEmpty ? [nil] : tags
        case .prompt: [prompt]
        case .key: [key]
        }
    }

    /// How reports name a prompt version: `support/reply@3`, as the CLI takes it.
    public static func promptKey(name: String?, version: Int?) -> String? {
        guard let name else { return nil }
        return version.map { "\(name)@\($0)" } ?? name
    }
}
