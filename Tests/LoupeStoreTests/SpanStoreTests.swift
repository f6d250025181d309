import Foundation
import LoupeCore
import Testing

/// The `SpanStore` contract (OpenTelemetry spans received on /v1/traces), on every backend.
@Suite struct SpanStoreTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    static func span(_ id: String, parent: String?, start: UInt64, name: String = "step", loupe: String? = nil) -> OTelSpan {
        OTelSpan(
            traceID: trace, spanID: id, parentSpanID: parent, name: name, kind: 3,
            startTimeUnixNano: start, endTimeUnixNano: start + 250_000_000,
            attributes: ["gen_ai.request.model": .string("gpt-4o-mini"), "retries": .number(2), "tags": .array([.string("a"), .bool(true)])],
            statusCode: 2, statusMessage: "it's \"broken\"; DROP TABLE spans; --", resource: ["service.name": .string("checkout")],
            scopeName: "opentelemetry.instrumentation.openai", loupeTraceID: loupe
        )
    }

    @Test(arguments: StoreBackend.tested)
    func spansComeBackAsATreeInStartOrderAndAResentBatchIsStoredOnce(_ backend: StoreBackend) async throws {
        try await backend.withStore { traces in
            let store = try #require(traces as? any LoupeStore)
            // Nanosecond times of today, far beyond what a double holds exactly.
            let now = UInt64(Date().timeIntervalSince1970) * 1_000_000_000 + 123_456_789
            let root = Self.span("00f067aa0ba902b7", parent: nil, start: now, name: "agent")
            let child = Self.span("00f067aa0ba902b8", parent: root.spanID, start: now + 1, name: "chat gpt-4o-mini", loupe: "trace-1")
            try await store.insert(spans: [child, root])
            try await store.insert(spans: [child])  // a resent batch
            let read = try await store.spans(otelTraceID: Self.trace)
            #expect(read == [root, child])
            #expect(try await store.spans(otelTraceID: "ffffffffffffffffffffffffffffffff").isEmpty)
        }
    }

    @Test(arguments: StoreBackend.tested)
    func pruningTracesPrunesTheirSpans(_ backend: StoreBackend) async throws {
        try await backend.withStore { traces in
            let store = try #require(traces as? any LoupeStore)
            let now = Date()
            let old = UInt64(now.addingTimeInterval(-40 * 86_400).timeIntervalSince1970) * 1_000_000_000
            let recent = UInt64(now.timeIntervalSince1970) * 1_000_000_000
            try await store.insert(spans: [Self.span("00000000000000a1", parent: nil, start: old), Self.span("00000000000000a2", parent: nil, start: recent)])
            _ = try await store.deleteTraces(createdBefore: now.addingTimeInterval(-30 * 86_400))
            #expect(try await store.spans(otelTraceID: Self.trace).map(\.spanID) == ["00000000000000a2"])
        }
    }
}
