import Foundation

/// What a comparison report compares: a shadow model with the calls it copied, a split's champion with its
/// challenger, or two models, over calls created in `[since, until)`.
public struct ComparisonQuery: Sendable, Hashable {
    /// The most calls (or shadow pairs) a side reads by default: enough for a clear picture, few enough for memory.
    public static let defaultMaxRows = 100_000

    /// The two things compared.
    public enum Mode: Sendable, Hashable {
        /// Each shadow call to `model` against the primary call it copied.
        case shadow(model: String)
        /// The split that `model` configures: its champion calls against its challenger calls. The side models are
        /// nil when the config does not name them (any more): then every champion and every challenger call counts.
        case split(model: String, champion: String?, challenger: String?)
        /// Every call to one model against every call to another.
        case models(a: String, b: String)
    }

    public var mode: Mode
    public var since: Date?
    public var until: Date?
    /// Each side reads at most this many calls (at least one), the newest; the report says when it was capped.
    public var maxRows: Int

    public init(mode: Mode, since: Date? = nil, until: Date? = nil, maxRows: Int = ComparisonQuery.defaultMaxRows) {
        self.mode = mode
        self.since = since
        self.until = until
        self.maxRows = max(maxRows, 1)
    }

    /// The mode's name in reports: `shadow`, `split` or `models`.
    public var modeName: String {
        switch mode {
        case .shadow: "shadow"
        case .split: "split"
        case .models: "models"
        }
    }

    /// What the two sides are called in reports, first then second: primary/shadow, champion/challenger or a/b.
    public var sideNames: [String] {
        switch mode {
        case .shadow: ["primary", "shadow"]
        case .split: ["champion", "challenger"]
        case .models: ["a", "b"]
        }
    }

    /// The calls of each side, for the modes whose sides are read apart; nil for shadow, whose sides come in pairs.
    public var sideFilters: [ComparisonFilter]? {
        switch mode {
        case .shadow:
            nil
        case .split(_, let champion, let challenger):
            [
                ComparisonFilter(model: champion, variant: "champion", since: since, until: until),
                ComparisonFilter(model: challenger, variant: "challenger", since: since, until: until),
            ]
        case .models(let a, let b):
            [ComparisonFilter(model: a, since: since, until: until), ComparisonFilter(model: b, since: since, until: until)]
        }
    }
}
