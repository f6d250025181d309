/// Keeps OpenTelemetry spans received on `/v1/traces`, keyed by OTel trace id and span id.
///
/// Every ingested span is kept here, GenAI ones too (with `loupeTraceID` naming the Loupe trace made from it),
/// so a trace's whole tree reads back in one query.
public protocol SpanStore: Sendable {
    /// Stores `spans`; a span already stored (same trace id and span id) is left as it is, so a resent batch is a no-op.
    func insert(spans: [OTelSpan]) async throws
    /// The spans of one OTel trace (32 lowercase hex digits), earliest start first.
    func spans(otelTraceID: String) async throws -> [OTelSpan]
}
