/// Two runs of a suite side by side: the cases that went from passing to not passing, and back.
public struct EvalComparison: Sendable {
    /// A case in both runs whose outcome changed.
    public struct Change: Sendable, Hashable {
        public var before: EvalCaseResult
        public var after: EvalCaseResult
    }

    public var regressions: [Change]
    public var improvements: [Change]
    /// Cases whose status held but whose score moved by more than 0.001.
    public var scoreChanges: [Change]
    /// Cases in only one of the runs (a prompt or model was added or dropped).
    public var onlyBefore: Int
    public var onlyAfter: Int

    /// Matches cases by prompt name (any version), model, case position and repetition. A run that holds several
    /// versions of one prompt (an A/B in one suite) matches them in order: the first with the first, and so on.
    public init(before: [EvalCaseResult], after: [EvalCaseResult]) {
        let beforeKeys = Self.keys(before)
        let afterKeys = Self.keys(after)
        let earlier = Dictionary(zip(beforeKeys, before), uniquingKeysWith: { first, _ in first })
        let later = Dictionary(zip(afterKeys, after), uniquingKeysWith: { first, _ in first })
        var regressions: [Change] = []
        var improvements: [Change] = []
        var scoreChanges: [Change] = []
        for (key, item) in zip(afterKeys, after) {
            guard let old = earlier[key] else { continue }
            let change = Change(before: old, after: item)
            if old.status == .pass && item.status != .pass {
                regressions.append(change)
            } else if old.status != .pass && item.status == .pass {
                improvements.append(change)
            } else if abs(old.score - item.score) > 0.001 {
                scoreChanges.append(change)
            }
        }
        self.regressions = regressions
        self.improvements = improvements
        self.scoreChanges = scoreChanges
        self.onlyBefore = earlier.keys.filter { later[$0] == nil }.count
        self.onlyAfter = later.keys.filter { earlier[$0] == nil }.count
    }

    /// Each result's `comparisonKey` and which of its prompt's versions in the run it is (0 for the first seen).
    static func keys(_ results: [EvalCaseResult]) -> [String] {
        var ordinals: [String: Int] = [:]
        var versions: [String: Int] = [:]
        for result in results where ordinals[result.prompt] == nil {
            let name = result.prompt.split(separator: "@").first.map(String.init) ?? result.prompt
            ordinals[result.prompt] = versions[name, default: 0]
            versions[name, default: 0] += 1
        }
        return results.map { "\($0.comparisonKey)\u{1F}\(ordinals[$0.prompt] ?? 0)" }
    }
}
