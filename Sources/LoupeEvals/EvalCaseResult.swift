import LoupeCore

/// One case's answer from one prompt and model, and how its checks came out.
public struct EvalCaseResult: Sendable, Hashable, Codable {
    /// PASS when every check passed, FAIL when one did not, ERROR when the call itself failed.
    public enum Status: String, Sendable, Hashable, Codable {
        case pass, fail, error
    }

    /// One assertion's outcome.
    public struct Check: Sendable, Hashable, Codable {
        public var type: String
        public var pass: Bool
        public var score: Double
        public var reason: String
        public var weight: Double
        public var metric: String?
    }

    /// The prompt as reports name it (`support/reply@3`).
    public var prompt: String
    public var model: String
    /// The case's position in the suite, and which repetition this is.
    public var caseIndex: Int
    public var repetition: Int
    public var source: String
    public var description: String?
    public var vars: [String: JSONValue]
    public var expected: JSONValue?
    public var status: Status
    /// The weighted mean of the checks' scores, 0–1; 0 for an ERROR.
    public var score: Double
    public var checks: [Check]
    public var output: EvalOutput?
    /// Why the call failed, for an ERROR.
    public var error: String?
    /// Calls made, retries included.
    public var attempts: Int
    /// Answered from the response cache: no call was made, and the trace is the original call's.
    public var cached: Bool

    /// A key that names the same case in two runs of a suite: prompt name (without version), model, case, repetition.
    public var comparisonKey: String {
        let name = prompt.split(separator: "@").first.map(String.init) ?? prompt
        return "\(name)\u{1F}\(model)\u{1F}\(caseIndex)\u{1F}\(repetition)"
    }

    /// The first failing check's reason, or the error.
    public var failureReason: String? {
        if let error { return error }
        return checks.first { !$0.pass }.map { "\($0.type): \($0.reason)" }
    }
}
