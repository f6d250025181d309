import LoupeCore
import PostgresNIO

/// OpenTelemetry spans received on `/v1/traces`, kept as rows keyed by OTel trace id and span id.
extension PostgresTraceStore: SpanStore {
    static let createSpans = [
        """
        CREATE TABLE spans (
            trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL, kind INTEGER NOT NULL,
            start_unix_nano BIGINT NOT NULL, end_unix_nano BIGINT NOT NULL, status_code INTEGER NOT NULL, status_message TEXT,
            attributes TEXT NOT NULL, resource TEXT NOT NULL, scope_name TEXT, loupe_trace_id TEXT,
            PRIMARY KEY (trace_id, span_id)
        )
        """
    ]

    public func insert(spans: [OTelSpan]) async throws {
        guard !spans.isEmpty else { return }
        try await withConnection("store OpenTelemetry spans") { connection in
            try await self.transaction(on: connection) {
                for span in spans {
                    let attributes = JSONValue.object(span.attributes).jsonText.withoutNUL
                    let resource = JSONValue.object(span.resource).jsonText.withoutNUL
                    try await self.execute("""
                        INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_unix_nano, end_unix_nano,
                            status_code, status_message, attributes, resource, scope_name, loupe_trace_id)
                        VALUES (\(span.traceID), \(span.spanID), \(span.parentSpanID), \(span.name.withoutNUL), \(span.kind),
                            \(Int64(clamping: span.startTimeUnixNano)), \(Int64(clamping: span.endTimeUnixNano)), \(span.statusCode),
                            \(span.statusMessage?.withoutNUL), \(attributes), \(resource), \(span.scopeName?.withoutNUL), \(span.loupeTraceID))
                        ON CONFLICT (trace_id, span_id) DO NOTHING
                        """, on: connection)
                }
            }
        }
    }

    public func spans(otelTraceID: String) async throws -> [OTelSpan] {
        try await withConnection("read OpenTelemetry spans") { connection in
            let rows = try await connection.query("""
                SELECT trace_id, span_id, parent_span_id, name, kind, start_unix_nano, end_unix_nano, status_code, status_message,
                    attributes, resource, scope_name, loupe_trace_id
                FROM spans WHERE trace_id = \(otelTraceID) ORDER BY start_unix_nano, span_id
                """, logger: self.logger).collect()
            return try rows.map { row in
                let row = row.makeRandomAccess()
                return OTelSpan(
                    traceID: try row["trace_id"].decode(String.self), spanID: try row["span_id"].decode(String.self),
                    parentSpanID: try row["parent_span_id"].decode(String?.self), name: try row["name"].decode(String.self),
                    kind: try row["kind"].decode(Int.self),
                    startTimeUnixNano: UInt64(max(0, try row["start_unix_nano"].decode(Int64.self))),
                    endTimeUnixNano: UInt64(max(0, try row["end_unix_nano"].decode(Int64.self))),
                    attributes: Self.jsonObject(try row["attributes"].decode(String.self)),
                    statusCode: try row["status_code"].decode(Int.self), statusMessage: try row["status_message"].decode(String?.self),
                    resource: Self.jsonObject(try row["resource"].decode(String.self)), scopeName: try row["scope_name"].decode(String?.self),
                    loupeTraceID: try row["loupe_trace_id"].decode(String?.self)
                )
            }
        }
    }

    private static func jsonObject(_ text: String) -> [String: JSONValue] {
        if case .object(let members)? = JSONValue.parse(text) { return members }
        return [:]
    }
}
