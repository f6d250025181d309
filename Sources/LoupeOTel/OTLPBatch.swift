import LoupeCore

/// The spans of one OTLP export request, with the ones that could not be accepted counted apart.
public struct OTLPBatch: Sendable {
    /// The spans that passed validation, in request order.
    public var spans: [OTelSpan] = []
    /// How many spans were rejected, each alone.
    public var rejectedSpans = 0
    /// Why, for the first few rejections.
    public var rejections: [String] = []
    private static let maxReasons = 5

    public init(spans: [OTelSpan] = []) { self.spans = spans }

    /// The partial-success message: the reasons kept, or nil when nothing was rejected.
    public var errorMessage: String? {
        guard rejectedSpans > 0 else { return nil }
        let more = rejectedSpans > rejections.count ? " (and \(rejectedSpans - rejections.count) more)" : ""
        return "rejected \(rejectedSpans) span(s): " + rejections.joined(separator: "; ") + more
    }

    mutating func reject(_ reason: String) {
        rejectedSpans += 1
        if rejections.count < Self.maxReasons { rejections.append(reason) }
    }

    /// Builds a span from decoded fields, or says why it cannot be kept.
    static func validated(
        traceID: [UInt8], spanID: [UInt8], parentSpanID: [UInt8], name: String, kind: Int64, start: UInt64, end: UInt64,
        attributes: [String: JSONValue], statusCode: Int64, statusMessage: String?, resource: [String: JSONValue], scopeName: String?
    ) throws(OTLPDecodeError) -> OTelSpan {
        guard traceID.count == 16, traceID.contains(where: { $0 != 0 }) else {
            throw OTLPDecodeError("span '\(name)': trace id must be 16 bytes, not all zero (got \(traceID.count))")
        }
        let spanLabel = "span '\(name)' (\(hex(spanID)))"
        guard spanID.count == 8, spanID.contains(where: { $0 != 0 }) else {
            throw OTLPDecodeError("span '\(name)': span id must be 8 bytes, not all zero (got \(spanID.count))")
        }
        guard parentSpanID.isEmpty || parentSpanID.count == 8 else { throw OTLPDecodeError("\(spanLabel): parent span id must be empty or 8 bytes") }
        guard !name.isEmpty else { throw OTLPDecodeError("span \(hex(spanID)): name is empty") }
        guard start > 0 else { throw OTLPDecodeError("\(spanLabel): start time is missing") }
        guard end >= start else { throw OTLPDecodeError("\(spanLabel): ends before it starts") }
        guard (0...5).contains(kind) else { throw OTLPDecodeError("\(spanLabel): kind \(kind) is not a SpanKind") }
        guard (0...2).contains(statusCode) else { throw OTLPDecodeError("\(spanLabel): status code \(statusCode) is not a StatusCode") }
        return OTelSpan(
            traceID: hex(traceID), spanID: hex(spanID), parentSpanID: parentSpanID.isEmpty || parentSpanID.allSatisfy({ $0 == 0 }) ? nil : hex(parentSpanID),
            name: name, kind: Int(kind), startTimeUnixNano: start, endTimeUnixNano: end, attributes: attributes,
            statusCode: Int(statusCode), statusMessage: statusMessage.flatMap { $0.isEmpty ? nil : $0 }, resource: resource, scopeName: scopeName
        )
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of a hex string (either case), or nil when it is not hex.
    static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
