import Foundation
import GRDB
import LoupeCore

/// OpenTelemetry spans received on `/v1/traces`, kept as rows keyed by OTel trace id and span id.
extension SQLiteTraceStore: SpanStore {
    static let createSpans = """
        CREATE TABLE spans (
            trace_id TEXT NOT NULL,            -- OTel trace id, 32 lowercase hex digits
            span_id TEXT NOT NULL,             -- 16 lowercase hex digits
            parent_span_id TEXT,
            name TEXT NOT NULL,
            kind INTEGER NOT NULL,
            start_unix_nano INTEGER NOT NULL,
            end_unix_nano INTEGER NOT NULL,
            status_code INTEGER NOT NULL,
            status_message TEXT,
            attributes TEXT NOT NULL,          -- JSON object
            resource TEXT NOT NULL,            -- JSON object
            scope_name TEXT,
            loupe_trace_id TEXT,               -- the Loupe trace a GenAI span became
            PRIMARY KEY (trace_id, span_id)
        ) STRICT;
        """

    public func insert(spans: [OTelSpan]) async throws {
        guard !spans.isEmpty else { return }
        try await longWrite { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, name, kind, start_unix_nano, end_unix_nano,
                    status_code, status_message, attributes, resource, scope_name, loupe_trace_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for span in spans {
                try insert.execute(arguments: [
                    span.traceID, span.spanID, span.parentSpanID, span.name, span.kind,
                    Int64(clamping: span.startTimeUnixNano), Int64(clamping: span.endTimeUnixNano),
                    span.statusCode, span.statusMessage, JSONValue.object(span.attributes).jsonText,
                    JSONValue.object(span.resource).jsonText, span.scopeName, span.loupeTraceID,
                ])
            }
        }
    }

    public func spans(otelTraceID: String) async throws -> [OTelSpan] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT trace_id, span_id, parent_span_id, name, kind, start_unix_nano, end_unix_nano, status_code, status_message,
                        attributes, resource, scope_name, loupe_trace_id
                    FROM spans WHERE trace_id = ? ORDER BY start_unix_nano, span_id
                    """, arguments: [otelTraceID]
            ).map { row in
                OTelSpan(
                    traceID: row["trace_id"], spanID: row["span_id"], parentSpanID: row["parent_span_id"], name: row["name"], kind: row["kind"],
                    startTimeUnixNano: UInt64(max(0, row["start_unix_nano"] as Int64)), endTimeUnixNano: UInt64(max(0, row["end_unix_nano"] as Int64)),
                    attributes: Self.jsonObject(row["attributes"]), statusCode: row["status_code"], statusMessage: row["status_message"],
                    resource: Self.jsonObject(row["resource"]), scopeName: row["scope_name"], loupeTraceID: row["loupe_trace_id"]
                )
            }
        }
    }

    private static func jsonObject(_ text: String) -> [String: JSONValue] {
        if case .object(let members)? = JSONValue.parse(text) { return members }
        return [:]
    }
}
