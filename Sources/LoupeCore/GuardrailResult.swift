/// What one guardrail check found on a call: which check, what it did, what kind of thing and how
/// many. Never the matched text itself.
public struct GuardrailResult: Sendable, Hashable, Codable {
    /// Whether the check ran on what went to the provider or on what came back.
    public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
        case input, output
    }

    /// What the policy did about it.
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case block, redact, flag
    }

    public var direction: Direction
    /// The check's name, such as `pii`.
    public var check: String
    public var action: Action
    /// What was found, such as `email`; `check_error` when the check itself failed.
    public var category: String
    /// How many times it was found.
    public var count: Int

    public init(direction: Direction, check: String, action: Action, category: String, count: Int) {
        self.direction = direction
        self.check = check
        self.action = action
        self.category = category
        self.count = count
    }

    /// The results as stored: a JSON array, nil when there are none.
    public static func storedJSON(_ results: [GuardrailResult]) -> String? {
        guard !results.isEmpty else { return nil }
        return JSONValue.array(results.map(\.json)).jsonText
    }

    /// Results read back from `storedJSON`; entries that do not parse are left out.
    public static func fromStoredJSON(_ text: String?) -> [GuardrailResult] {
        guard let text, case .array(let items)? = JSONValue.parse(text) else { return [] }
        return items.compactMap(GuardrailResult.init(json:))
    }

    public var json: JSONValue {
        .object([
            "direction": .string(direction.rawValue), "check": .string(check), "action": .string(action.rawValue),
            "category": .string(category), "count": .number(Double(count)),
        ])
    }

    public init?(json: JSONValue) {
        guard let direction = json["direction"]?.stringValue.flatMap(Direction.init(rawValue:)),
              let check = json["check"]?.stringValue,
              let action = json["action"]?.stringValue.flatMap(Action.init(rawValue:)),
              let category = json["category"]?.stringValue,
              let count = json["count"]?.intValue
        else { return nil }
        self.init(direction: direction, check: check, action: action, category: category, count: count)
    }
}
