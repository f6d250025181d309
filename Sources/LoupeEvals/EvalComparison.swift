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

    /// Matches cases by prompt name (any version), model, case position and repetition.
    public init(before: [EvalCaseResult], after: [EvalCaseResult]) {
        let earlier = Dictionary(before.map { ($0.comparisonKey, $0) }, uniquingKeysWith: { first, _ in first })
        let later = Dictionary(after.map { ($0.comparisonKey, $0) }, uniquingKeysWith: { first, _ in first })
        var regressions: [Change] = []
        var improvements: [Change] = []
        var scoreChanges: [Change] = []
        for item in after {
            guard let old = earlier[item.comparisonKey] else { continue }
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
}
