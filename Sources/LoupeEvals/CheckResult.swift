/// What one check measured, before a `not-` prefix is applied.
struct CheckResult: Sendable, Hashable {
    var pass: Bool
    /// From 0 to 1.
    var score: Double
    /// What was found, phrased as a fact so that a negated check can append why that fails it.
    var reason: String

    /// A yes-or-no check: score 1 when it passes, else 0.
    static func binary(_ pass: Bool, _ reason: String) -> CheckResult {
        CheckResult(pass: pass, score: pass ? 1 : 0, reason: reason)
    }
}
