import Foundation
import LoupeCore

extension OTLPBatch {
    /// Decodes an `ExportTraceServiceRequest` in protobuf. A body whose framing is broken throws; a span whose
    /// own bytes or fields are bad is rejected alone.
    public init(protobuf body: [UInt8]) throws(OTLPDecodeError) {
        self.init()
        var request = ProtobufReader(body[...])
        while let (field, value) = try request.next() {
            guard field == 1 else { continue }  // resource_spans
            try decodeResourceSpans(try value.bytes("resource_spans"))
        }
    }

    private mutating func decodeResourceSpans(_ bytes: ArraySlice<UInt8>) throws(OTLPDecodeError) {
        var reader = ProtobufReader(bytes)
        var resource: [String: JSONValue] = [:]
        var scopes: [ArraySlice<UInt8>] = []
        while let (field, value) = try reader.next() {
            switch field {
            case 1:  // resource
                var fields = ProtobufReader(try value.bytes("resource"))
                while let (field, value) = try fields.next() {
                    guard field == 1 else { continue }
                    let (key, attribute) = try Self.keyValue(try value.bytes("resource attribute"))
                    resource[key] = attribute
                }
            case 2: scopes.append(try value.bytes("scope_spans"))
            default: continue
            }
        }
        for scope in scopes { try decodeScopeSpans(scope, resource: resource) }
    }

    private mutating func decodeScopeSpans(_ bytes: ArraySlice<UInt8>, resource: [String: JSONValue]) throws(OTLPDecodeError) {
        var reader = ProtobufReader(bytes)
        var scopeName: String?
        var spanBytes: [ArraySlice<UInt8>] = []
        while let (field, value) = try reader.next() {
            switch field {
            case 1:  // scope
                var fields = ProtobufReader(try value.bytes("scope"))
                while let (field, value) = try fields.next() { guard field == 1 else { continue }; scopeName = try value.string("scope name") }
            case 2: spanBytes.append(try value.bytes("span"))
            default: continue
            }
        }
        for bytes in spanBytes {
            do {
                self.spans.append(try Self.span(bytes, resource: resource, scopeName: scopeName))
            } catch {
                reject(error.reason)
            }
        }
    }

    private static func span(_ bytes: ArraySlice<UInt8>, resource: [String: JSONValue], scopeName: String?) throws(OTLPDecodeError) -> OTelSpan {
        var reader = ProtobufReader(bytes)
        var traceID: [UInt8] = [], spanID: [UInt8] = [], parentSpanID: [UInt8] = []
        var name = "", kind: Int64 = 0, start: UInt64 = 0, end: UInt64 = 0
        var attributes: [String: JSONValue] = [:]
        var statusCode: Int64 = 0, statusMessage: String?
        while let (field, value) = try reader.next() {
            switch field {
            case 1: traceID = Array(try value.bytes("trace_id"))
            case 2: spanID = Array(try value.bytes("span_id"))
            case 4: parentSpanID = Array(try value.bytes("parent_span_id"))
            case 5: name = try value.string("name")
            case 6: kind = Int64(truncatingIfNeeded: try value.varint("kind"))
            case 7: start = try value.fixed64("start_time_unix_nano")
            case 8: end = try value.fixed64("end_time_unix_nano")
            case 9:
                let (key, attribute) = try keyValue(try value.bytes("attribute"))
                attributes[key] = attribute
            case 15:
                var status = ProtobufReader(try value.bytes("status"))
                while let (field, value) = try status.next() {
                    if field == 2 { statusMessage = try value.string("status message") }
                    if field == 3 { statusCode = Int64(truncatingIfNeeded: try value.varint("status code")) }
                }
            default: continue
            }
        }
        return try validated(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: name, kind: kind, start: start, end: end,
            attributes: attributes, statusCode: statusCode, statusMessage: statusMessage, resource: resource, scopeName: scopeName
        )
    }

    /// A `KeyValue`: its key and its value as JSON.
    static func keyValue(_ bytes: ArraySlice<UInt8>) throws(OTLPDecodeError) -> (String, JSONValue) {
        var reader = ProtobufReader(bytes)
        var key = "", value = JSONValue.null
        while let (field, payload) = try reader.next() {
            if field == 1 { key = try payload.string("attribute key") }
            if field == 2 { value = try anyValue(try payload.bytes("attribute value '\(key)'")) }
        }
        guard !key.isEmpty else { throw OTLPDecodeError("an attribute has no key") }
        return (key, value)
    }

    /// An `AnyValue`; an empty one is null.
    static func anyValue(_ bytes: ArraySlice<UInt8>) throws(OTLPDecodeError) -> JSONValue {
        var reader = ProtobufReader(bytes)
        var result = JSONValue.null
        while let (field, value) = try reader.next() {
            switch field {
            case 1: result = .string(try value.string("string_value"))
            case 2: result = .bool(try value.varint("bool_value") != 0)
            case 3: result = .number(Double(Int64(bitPattern: try value.varint("int_value"))))
            case 4: result = .number(Double(bitPattern: try value.fixed64("double_value")))
            case 5:
                var items: [JSONValue] = []
                var array = ProtobufReader(try value.bytes("array_value"))
                while let (field, item) = try array.next() { guard field == 1 else { continue }; items.append(try anyValue(try item.bytes("array item"))) }
                result = .array(items)
            case 6:
                var members: [String: JSONValue] = [:]
                var list = ProtobufReader(try value.bytes("kvlist_value"))
                while let (field, item) = try list.next() {
                    guard field == 1 else { continue }
                    let (key, member) = try keyValue(try item.bytes("kvlist item"))
                    members[key] = member
                }
                result = .object(members)
            case 7: result = .string(Data(try value.bytes("bytes_value")).base64EncodedString())
            default: continue
            }
        }
        return result
    }
}
