import Foundation

/// Where traces live. Every backend (SQLite, PostgreSQL) implements this one contract.
public protocol TraceStore: Sendable {
    /// Applies every pending migration; throws `SchemaError.newerThanBinary` for a schema this binary does not know.
    func migrate() async throws
    /// Which migrations the store has applied, which are pending, and which this binary does not know.
    func schemaStatus() async throws -> SchemaStatus
    /// Writes a batch in one transaction. Writing a trace id that is already stored changes nothing.
    func insert(_ traces: [Trace]) async throws
    /// One trace, or nil.
    func trace(id: String) async throws -> Trace?
    /// A newest-first page of traces that match the query.
    func traces(matching query: TraceQuery) async throws -> TracePage
    /// Requests, tokens, cost, errors and latency percentiles per group: whole days from the rollups
    /// that `insert` keeps, partial days at the window's edges from the traces.
    func costReport(_ query: CostReportQuery) async throws -> [CostReportRow]
    /// Guardrail findings per direction, check, action and category, for calls created in `[since, until)`.
    func guardrailReport(since: Date?, until: Date?) async throws -> [GuardrailReportRow]
    /// Recomputes every cost rollup from the stored traces, for a store whose rollups were damaged.
    func rebuildCostRollups() async throws
    /// How many traces are stored.
    func count() async throws -> Int
    /// Deletes traces created before `date` (retention); returns how many were deleted.
    func deleteTraces(createdBefore date: Date) async throws -> Int
    /// Succeeds when the store answers a trivial query; for readiness checks.
    func ping() async throws
}
