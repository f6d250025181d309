import LoupeCore

extension OTLPBatch {
    /// Decodes an `ExportTraceServiceRequest` in OTLP/JSON: hex ids, int64 as strings or numbers, enums as
    /// numbers (or their names), camelCase field names (snake_case accepted too). A body that is not JSON, or
    /// not shaped like a request, throws; a bad span is rejected alone.
    public init(json body: [UInt8]) throws(OTLPDecodeError) {
        self.init()
        guard !body.isEmpty else { return }
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes: body)
        } catch {
            throw OTLPDecodeError("the body is not JSON: \(error)")
        }
        guard case .object = root else { throw OTLPDecodeError("the body must be a JSON object with resourceSpans") }
        for resourceSpans in try Self.array(root, "resourceSpans", "resource_spans", in: "the request") {
            var resource: [String: JSONValue] = [:]
            if let node = Self.member(resourceSpans, "resource") {
                for attribute in try Self.array(node, "attributes", in: "resource") {
                    let (key, value) = try Self.keyValue(attribute)
                    resource[key] = value
                }
            }
            for scopeSpans in try Self.array(resourceSpans, "scopeSpans", "scope_spans", in: "resourceSpans") {
                let scopeName = Self.member(scopeSpans, "scope").flatMap { Self.member($0, "name")?.stringValue }
                for node in try Self.array(scopeSpans, "spans", in: "scopeSpans") {
                    do {
                        spans.append(try Self.span(node, resource: resource, scopeName: scopeName))
                    } catch {
                        reject(error.reason)
                    }
                }
            }
        }
    }

    private static func span(_ node: JSONValue, resource: [String: JSONValue], scopeName: String?) throws(OTLPDecodeError) -> OTelSpan {
        guard case .object = node else { throw OTLPDecodeError("a span is not a JSON object") }
        let name = member(node, "name")?.stringValue ?? ""
        func id(_ camel: String, _ snake: String) throws(OTLPDecodeError) -> [UInt8] {
            guard let value = member(node, camel, snake), value != .null else { return [] }
            guard let text = value.stringValue, let bytes = bytes(hex: text) else {
                throw OTLPDecodeError("span '\(name)': \(camel) must be a hex string")
            }
            return bytes
        }
        var attributes: [String: JSONValue] = [:]
        for attribute in try array(node, "attributes", in: "span '\(name)'") {
            let (key, value) = try keyValue(attribute)
            attributes[key] = value
        }
        let status = member(node, "status")
        return try validated(
            traceID: try id("traceId", "trace_id"), spanID: try id("spanId", "span_id"), parentSpanID: try id("parentSpanId", "parent_span_id"),
            name: name, kind: try enumValue(member(node, "kind"), names: spanKinds, field: "kind"),
            start: try uint64(member(node, "startTimeUnixNano", "start_time_unix_nano"), field: "startTimeUnixNano"),
            end: try uint64(member(node, "endTimeUnixNano", "end_time_unix_nano"), field: "endTimeUnixNano"),
            attributes: attributes,
            statusCode: try enumValue(status.flatMap { member($0, "code") }, names: statusCodes, field: "status.code"),
            statusMessage: status.flatMap { member($0, "message")?.stringValue }, resource: resource, scopeName: scopeName
        )
    }

    private static let spanKinds = [
        "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
    ]
    private static let statusCodes = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]

    /// A `KeyValue` object: `{"key": "...", "value": {"stringValue": "..."}}`.
    static func keyValue(_ node: JSONValue) throws(OTLPDecodeError) -> (String, JSONValue) {
        guard let key = member(node, "key")?.stringValue, !key.isEmpty else { throw OTLPDecodeError("an attribute has no key") }
        guard let value = member(node, "value") else { return (key, .null) }
        return (key, try anyValue(value, key: key))
    }

    /// An `AnyValue` object; `{}` is null.
    static func anyValue(_ node: JSONValue, key: String) throws(OTLPDecodeError) -> JSONValue {
        guard case .object(let members) = node else { throw OTLPDecodeError("attribute '\(key)': value must be an AnyValue object") }
        if let value = members["stringValue"] ?? members["string_value"] {
            guard case .string = value else { throw OTLPDecodeError("attribute '\(key)': stringValue is not a string") }
            return value
        }
        if let value = members["boolValue"] ?? members["bool_value"] {
            guard case .bool = value else { throw OTLPDecodeError("attribute '\(key)': boolValue is not a boolean") }
            return value
        }
        if let value = members["intValue"] ?? members["int_value"] {
            if let text = value.stringValue, let number = Int64(text) { return .number(Double(number)) }
            guard let number = value.intValue else { throw OTLPDecodeError("attribute '\(key)': intValue is not an integer") }
            return .number(Double(number))
        }
        if let value = members["doubleValue"] ?? members["double_value"] {
            if case .number = value { return value }
            if let text = value.stringValue, let number = Double(text) { return .number(number) }  // "NaN", "Infinity"
            throw OTLPDecodeError("attribute '\(key)': doubleValue is not a number")
        }
        if let value = members["arrayValue"] ?? members["array_value"] {
            var items: [JSONValue] = []
            for item in try array(value, "values", in: "attribute '\(key)'") { items.append(try anyValue(item, key: key)) }
            return .array(items)
        }
        if let value = members["kvlistValue"] ?? members["kvlist_value"] {
            var object: [String: JSONValue] = [:]
            for item in try array(value, "values", in: "attribute '\(key)'") {
                let (name, member) = try keyValue(item)
                object[name] = member
            }
            return .object(object)
        }
        if let value = members["bytesValue"] ?? members["bytes_value"] {
            guard case .string = value else { throw OTLPDecodeError("attribute '\(key)': bytesValue is not base64 text") }
            return value
        }
        guard members.isEmpty else { throw OTLPDecodeError("attribute '\(key)': unknown value type \(members.keys.sorted().joined(separator: ", "))") }
        return .null
    }

    /// The first of `names` present in an object.
    static func member(_ node: JSONValue, _ names: String...) -> JSONValue? {
        for name in names { if let value = node[name] { return value } }
        return nil
    }

    /// An array member (absent or null is empty); anything else is an error naming `context`.
    static func array(_ node: JSONValue, _ names: String..., in context: String) throws(OTLPDecodeError) -> [JSONValue] {
        var found: JSONValue?
        for name in names where found == nil { found = node[name] }
        switch found {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: throw OTLPDecodeError("\(context): \(names[0]) must be an array")
        }
    }

    /// A uint64 given as a decimal string or a number.
    static func uint64(_ node: JSONValue?, field: String) throws(OTLPDecodeError) -> UInt64 {
        switch node {
        case nil, .null?: return 0
        case .string(let text)?:
            guard let value = UInt64(text) else { throw OTLPDecodeError("\(field) '\(text)' is not a whole number") }
            return value
        case .number(let value)? where value >= 0 && value == value.rounded() && value < 1.8e19:
            return UInt64(value)
        default: throw OTLPDecodeError("\(field) must be a whole number")
        }
    }

    /// An enum given as its number or its name.
    static func enumValue(_ node: JSONValue?, names: [String], field: String) throws(OTLPDecodeError) -> Int64 {
        switch node {
        case nil, .null?: return 0
        case .string(let text)?:
            if let index = names.firstIndex(of: text) { return Int64(index) }
            throw OTLPDecodeError("\(field) '\(text)' is not one of \(names.joined(separator: ", "))")
        default:
            guard let value = node?.intValue else { throw OTLPDecodeError("\(field) must be a number") }
            return Int64(value)
        }
    }
}
