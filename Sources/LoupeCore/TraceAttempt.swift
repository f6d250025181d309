/// One try at a deployment that did not give the answer: the router moved on to another try or deployment.
public struct TraceAttempt: Sendable, Hashable, Codable {
    public var provider: String
    /// The model name sent to that provider.
    public var model: String?
    /// The provider's HTTP status; nil when no answer came (timeout, connection error).
    public var statusCode: Int?
    public var error: String
    public var latencyMs: Double

    public init(provider: String, model: String?, statusCode: Int?, error: String, latencyMs: Double) {
        self.provider = provider
        self.model = model
        self.statusCode = statusCode
        self.error = error
        self.latencyMs = latencyMs
    }

    enum CodingKeys: String, CodingKey {
        case provider, model, status_code, error, latency_ms
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            provider: try c.decode(String.self, forKey: .provider),
            model: try c.decodeIfPresent(String.self, forKey: .model),
            statusCode: try c.decodeIfPresent(Int.self, forKey: .status_code),
            error: try c.decode(String.self, forKey: .error),
            latencyMs: try c.decode(Double.self, forKey: .latency_ms)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(provider, forKey: .provider)
        try c.encode(model, forKey: .model)
        try c.encode(statusCode, forKey: .status_code)
        try c.encode(error, forKey: .error)
        try c.encode(latencyMs, forKey: .latency_ms)
    }

    /// The attempts as the JSON array the stores keep; nil when there are none.
    public static func storedJSON(_ attempts: [TraceAttempt]) -> String? {
        guard !attempts.isEmpty else { return nil }
        return JSONValue.array(attempts.map(\.json)).jsonText
    }

    /// Reads the stores' JSON array back; anything unreadable is no attempts.
    public static func fromStoredJSON(_ text: String?) -> [TraceAttempt] {
        guard let text, case .array(let items)? = JSONValue.parse(text) else { return [] }
        return items.compactMap(TraceAttempt.init(json:))
    }

    /// The attempt as a JSON object.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["provider": .string(provider), "error": .string(error), "latency_ms": .number(latencyMs)]
        if let model { object["model"] = .string(model) }
        if let statusCode { object["status_code"] = .number(Double(statusCode)) }
        return .object(object)
    }

    /// Reads an attempt from its JSON object.
    public init?(json: JSONValue) {
        guard case .object(let o) = json, let provider = o["provider"]?.stringValue, let error = o["error"]?.stringValue,
            case .number(let latency)? = o["latency_ms"]
        else { return nil }
        var status: Int?
        if case .number(let code)? = o["status_code"] { status = Int(code) }
        self.init(provider: provider, model: o["model"]?.stringValue, statusCode: status, error: error, latencyMs: latency)
    }
}
