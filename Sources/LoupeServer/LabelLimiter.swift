import Synchronization

/// Keeps a Prometheus label's values bounded: the first `limit` distinct values are kept, later ones become `other`.
final class LabelLimiter: Sendable {
    static let overflow = "other"
    static let none = "none"

    let limit: Int
    private let seen = Mutex<Set<String>>([])

    init(limit: Int) {
        self.limit = limit
    }

    /// The label value to use for `value`: itself while there is room, `none` for nil or empty, else `other`.
    func label(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return Self.none }
        return seen.withLock { seen in
            if seen.contains(value) { return value }
            guard seen.count < limit else { return Self.overflow }
            seen.insert(value)
            return value
        }
    }
}
