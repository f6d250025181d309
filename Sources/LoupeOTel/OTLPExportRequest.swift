import LoupeCore

/// Encodes spans as an OTLP `ExportTraceServiceRequest` in protobuf, for OTLP/HTTP export.
public enum OTLPExportRequest {
    /// One resource (with `service.name` and `resource` attributes) and one scope (`loupe`) holding `spans`.
    public static func protobuf(spans: [OTelSpan], serviceName: String, resource: [String: JSONValue] = [:]) -> [UInt8] {
        var request = ProtobufWriter()
        request.message(1) { resourceSpans in
            resourceSpans.message(1) { resourceMessage in
                var attributes = resource
                attributes["service.name"] = .string(serviceName)
                for key in attributes.keys.sorted() { resourceMessage.message(1) { keyValue(&$0, key, attributes[key]!) } }
            }
            resourceSpans.message(2) { scopeSpans in
                scopeSpans.message(1) { scope in scope.string(1, "loupe") }
                for span in spans { scopeSpans.message(2) { write(span, to: &$0) } }
            }
        }
        return request.bytes
    }

    private static func write(_ span: OTelSpan, to writer: inout ProtobufWriter) {
        writer.bytes(1, OTLPBatch.bytes(hex: span.traceID) ?? [])
        writer.bytes(2, OTLPBatch.bytes(hex: span.spanID) ?? [])
        if let parent = span.parentSpanID, let bytes = OTLPBatch.bytes(hex: parent) { writer.bytes(4, bytes) }
        writer.string(5, span.name)
        writer.varint(6, UInt64(span.kind))
        writer.fixed64(7, span.startTimeUnixNano)
        writer.fixed64(8, span.endTimeUnixNano)
        for key in span.attributes.keys.sorted() { writer.message(9) { keyValue(&$0, key, span.attributes[key]!) } }
        if span.statusCode != 0 || span.statusMessage != nil {
            writer.message(15) { status in
                if let message = span.statusMessage { status.string(2, message) }
                status.varint(3, UInt64(span.statusCode))
            }
        }
    }

    private static func keyValue(_ writer: inout ProtobufWriter, _ key: String, _ value: JSONValue) {
        writer.string(1, key)
        writer.message(2) { anyValue(&$0, value) }
    }

    private static func anyValue(_ writer: inout ProtobufWriter, _ value: JSONValue) {
        switch value {
        case .null: break
        case .string(let text): writer.string(1, text)
        case .bool(let flag): writer.varint(2, flag ? 1 : 0)
        case .number(let number):
            // Whole numbers go as int_value, so token counts arrive as integers.
            if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
                writer.varint(3, UInt64(bitPattern: Int64(number)))
            } else {
                writer.double(4, number)
            }
        case .array(let items): writer.message(5) { array in for item in items { array.message(1) { anyValue(&$0, item) } } }
        case .object(let members):
            writer.message(6) { list in for key in members.keys.sorted() { list.message(1) { keyValue(&$0, key, members[key]!) } } }
        }
    }
}
