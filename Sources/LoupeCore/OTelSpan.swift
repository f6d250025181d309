import Foundation

/// One OpenTelemetry span as Loupe keeps it: ids in lowercase hex, times in Unix nanoseconds, attributes as JSON.
public struct OTelSpan: Sendable, Hashable {
    /// The OTel trace id: 32 lowercase hex digits.
    public var traceID: String
    /// The span id: 16 lowercase hex digits.
    public var spanID: String
    /// The parent's span id, or nil for a root span.
    public var parentSpanID: String?
    public var name: String
    /// OTLP's SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
    public var kind: Int
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64
    /// Attribute values: strings, bools, numbers (int64 kept as numbers), arrays, objects for key-value lists.
    public var attributes: [String: JSONValue]
    /// OTLP's StatusCode: 0 unset, 1 ok, 2 error.
    public var statusCode: Int
    public var statusMessage: String?
    /// The resource's attributes (`service.name` and the like), shared by the spans of one resource.
    public var resource: [String: JSONValue]
    /// The instrumentation scope's name, such as `opentelemetry.instrumentation.openai`.
    public var scopeName: String?
    /// The Loupe trace this span became, for GenAI spans; nil for plain spans.
    public var loupeTraceID: String?

    public init(
        traceID: String, spanID: String, parentSpanID: String? = nil, name: String, kind: Int = 0,
        startTimeUnixNano: UInt64, endTimeUnixNano: UInt64, attributes: [String: JSONValue] = [:],
        statusCode: Int = 0, statusMessage: String? = nil, resource: [String: JSONValue] = [:], scopeName: String? = nil,
        loupeTraceID: String? = nil
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.resource = resource
        self.scopeName = scopeName
        self.loupeTraceID = loupeTraceID
    }

    /// `service.name` from the resource, when the sender set one.
    public var serviceName: String? { resource["service.name"]?.stringValue }

    /// The span's duration in milliseconds; zero when the end is not after the start.
    public var durationMs: Double {
        endTimeUnixNano > startTimeUnixNano ? Double(endTimeUnixNano - startTimeUnixNano) / 1_000_000 : 0
    }
}
