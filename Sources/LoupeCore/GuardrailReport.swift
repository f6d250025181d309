import Foundation

/// One line of the guardrail report: how often a check found a category, and on how many calls.
public struct GuardrailReportRow: Sendable, Hashable, Codable {
    public var direction: GuardrailResult.Direction
    public var check: String
    public var action: GuardrailResult.Action
    public var category: String
    /// Calls on which it fired.
    public var calls: Int
    /// Matches summed over those calls.
    public var hits: Int

    public init(direction: GuardrailResult.Direction, check: String, action: GuardrailResult.Action, category: String, calls: Int, hits: Int) {
        self.direction = direction
        self.check = check
        self.action = action
        self.category = category
        self.calls = calls
        self.hits = hits
    }

    /// Sums each call's stored results (`GuardrailResult.storedJSON`) into rows, most calls first.
    public static func aggregate(_ storedResults: [String?]) -> [GuardrailReportRow] {
        var rows: [GuardrailResult: GuardrailReportRow] = [:]
        for stored in storedResults {
            for result in GuardrailResult.fromStoredJSON(stored) {
                var key = result
                key.count = 0
                rows[key, default: GuardrailReportRow(direction: key.direction, check: key.check, action: key.action, category: key.category, calls: 0, hits: 0)]
                    .calls += 1
                rows[key]!.hits += result.count
            }
        }
        return rows.values.sorted {
            ($1.calls, $0.direction.rawValue, $0.check, $0.category, $0.action.rawValue) < ($0.calls, $1.direction.rawValue, $1.check, $1.category, $1.action.rawValue)
        }
    }
}
