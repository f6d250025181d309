import Foundation

/// A W3C Trace Context `traceparent` header: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
public struct TraceParent: Sendable, Hashable {
    public var traceID: String
    public var parentSpanID: String
    public var sampled: Bool

    public init(traceID: String, parentSpanID: String, sampled: Bool = true) {
        self.traceID = traceID
        self.parentSpanID = parentSpanID
        self.sampled = sampled
    }

    /// Parses a header value; nil when it is not valid (wrong lengths, non-hex, all-zero ids, version ff).
    public init?(header: String) {
        let parts = header.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[0] != "00" || parts.count == 4,
            let trace = OTLPBatch.bytes(hex: String(parts[1])), trace.contains(where: { $0 != 0 }),
            let parent = OTLPBatch.bytes(hex: String(parts[2])), parent.contains(where: { $0 != 0 }),
            let flags = OTLPBatch.bytes(hex: String(parts[3])), OTLPBatch.bytes(hex: String(parts[0])) != nil
        else { return nil }
        self.init(traceID: String(parts[1]), parentSpanID: String(parts[2]), sampled: flags[0] & 1 == 1)
    }

    /// The header value, version 00.
    public var header: String { "00-\(traceID)-\(parentSpanID)-\(sampled ? "01" : "00")" }
}
