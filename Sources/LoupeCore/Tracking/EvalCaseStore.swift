/// The case results of eval runs, kept beside the tracking run that summarises them.
public protocol EvalCaseStore: Sendable {
    /// Stores a run's case results, each a JSON text, in order; replaces any the run had.
    func saveEvalCases(runID: String, cases: [String]) async throws

    /// A run's case results in the order they were saved; empty when it has none.
    func evalCases(runID: String) async throws -> [String]
}
