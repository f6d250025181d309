import LoupeCore

/// What `/v1/traces` answers: an `ExportTraceServiceResponse`, or a `google.rpc.Status` for a refused body,
/// in the encoding the request came in.
public enum OTLPResponse {
    /// `ExportTraceServiceResponse`, with `partial_success` only when spans were rejected.
    public static func export(rejectedSpans: Int, errorMessage: String?, json: Bool) -> [UInt8] {
        if json {
            guard rejectedSpans > 0 || errorMessage != nil else { return Array("{}".utf8) }
            var text = "{\"partialSuccess\":{\"rejectedSpans\":\"\(rejectedSpans)\",\"errorMessage\":"
            JSONValue.writeString(errorMessage ?? "", to: &text)
            text += "}}"
            return Array(text.utf8)
        }
        var writer = ProtobufWriter()
        if rejectedSpans > 0 || errorMessage != nil {
            writer.message(1) { partial in
                partial.varint(1, UInt64(rejectedSpans))
                if let errorMessage { partial.string(2, errorMessage) }
            }
        }
        return writer.bytes
    }

    /// `google.rpc.Status` with `code` (a gRPC code: 3 invalid argument, 16 unauthenticated, …) and `message`.
    public static func status(code: Int, message: String, json: Bool) -> [UInt8] {
        if json {
            var text = "{\"code\":\(code),\"message\":"
            JSONValue.writeString(message, to: &text)
            return Array((text + "}").utf8)
        }
        var writer = ProtobufWriter()
        writer.varint(1, UInt64(code))
        writer.string(2, message)
        return writer.bytes
    }

    /// Reads an `ExportTraceServiceResponse` in protobuf: the rejected count and message, zero and nil when whole.
    public static func partialSuccess(protobuf body: [UInt8]) throws(OTLPDecodeError) -> (rejectedSpans: Int, errorMessage: String?) {
        var reader = ProtobufReader(body[...])
        var rejected = 0, message: String?
        while let (field, value) = try reader.next() {
            guard field == 1 else { continue }
            var partial = ProtobufReader(try value.bytes("partial_success"))
            while let (field, value) = try partial.next() {
                if field == 1 { rejected = Int(truncatingIfNeeded: try value.varint("rejected_spans")) }
                if field == 2 { message = try value.string("error_message") }
            }
        }
        return (rejected, message)
    }
}
