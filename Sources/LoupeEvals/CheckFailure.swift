/// A check that could not run: a bad value, a template that does not parse, a missing or failing grader.
/// It fails the assertion whether or not it is negated, since nothing was measured.
struct CheckFailure: Error, Sendable, Hashable {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
