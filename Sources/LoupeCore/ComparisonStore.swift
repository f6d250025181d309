import Foundation

/// Per-call facts for side-by-side reports: a shadow model against the calls it copied, or two sides of a split.
/// Both reads return the newest calls first, so a capped answer covers the most recent ones.
public protocol ComparisonStore: Sendable {
    /// Calls created in `[since, until)` whose model and variant are those of `filter` (nil matches any), at most `limit`.
    func comparisonFacts(_ filter: ComparisonFilter, limit: Int) async throws -> [ComparisonFact]
    /// Each shadow call (variant `shadow`) to `shadowModel` created in `[since, until)`, with its primary call, at most
    /// `limit` pairs. A shadow whose primary is no longer stored is left out.
    func shadowPairs(shadowModel: String, since: Date?, until: Date?, limit: Int) async throws -> [ShadowPair]
}

/// Which calls make one side of a comparison.
public struct ComparisonFilter: Sendable, Hashable {
    public var model: String?
    public var variant: String?
    public var since: Date?
    public var until: Date?

    public init(model: String? = nil, variant: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.model = model
        self.variant = variant
        self.since = since
        self.until = until
    }
}
