import Foundation

/// Filters and a page position for listing traces, newest first.
public struct TraceQuery: Sendable, Hashable {
    /// The largest page a caller may ask for.
    public static let maxLimit = 1000

    public var model: String?
    public var provider: String?
    public var user: String?
    public var sessionID: String?
    public var tag: String?
    /// `champion` or `challenger` (a split's side), or `shadow`.
    public var variant: String?
    /// Only the traces made for this one: a primary call's shadow copies.
    public var parentTraceID: String?
    /// Only answers from the response cache (true), or only calls that reached a provider (false).
    public var cacheHit: Bool?
    public var status: StatusFilter?
    public var since: Date?
    public var until: Date?
    public var cursor: TraceCursor?
    public var limit: Int

    public init(
        model: String? = nil, provider: String? = nil, user: String? = nil, sessionID: String? = nil,
        tag: String? = nil, variant: String? = nil, parentTraceID: String? = nil, cacheHit: Bool? = nil,
        status: StatusFilter? = nil, since: Date? = nil, until: Date? = nil, cursor: TraceCursor? = nil, limit: Int = 100
    ) {
        self.model = model
        self.provider = provider
        self.user = user
        self.sessionID = sessionID
        self.tag = tag
        self.variant = variant
        self.parentTraceID = parentTraceID
        self.cacheHit = cacheHit
        self.status = status
        self.since = since
        self.until = until
        self.cursor = cursor
        self.limit = limit
    }

    /// Which outcomes to keep: a trace status, one HTTP status code, or a class such as `5xx`.
    public enum StatusFilter: Sendable, Hashable {
        case status(TraceStatus)
        case code(Int)
        case codeClass(Int)

        /// Parses `ok`, `error`, `cancelled`, `429` or `4xx`.
        public init?(_ text: String) {
            let lowered = text.lowercased()
            if let status = TraceStatus(rawValue: lowered) {
                self = .status(status)
            } else if let code = Int(lowered), (100...599).contains(code) {
                self = .code(code)
            } else if lowered.count == 3, lowered.hasSuffix("xx"), let digit = Int(lowered.prefix(1)), (1...5).contains(digit) {
                self = .codeClass(digit)
            } else {
                return nil
            }
        }
    }
}

/// An opaque position in the newest-first trace list: the last trace a page returned.
public struct TraceCursor: Sendable, Hashable {
    public var createdAtMillis: Int64
    public var id: String

    public init(createdAtMillis: Int64, id: String) {
        self.createdAtMillis = createdAtMillis
        self.id = id
    }

    /// The cursor just after `trace`.
    public init(after trace: Trace) {
        self.init(createdAtMillis: trace.createdAt.unixMillis, id: trace.id)
    }

    /// The URL-safe token handed to clients.
    public var token: String {
        Data("\(createdAtMillis)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token that `token` produced; nil when it is not one.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let millis = Int64(parts[0]), !parts[1].isEmpty else { return nil }
        self.init(createdAtMillis: millis, id: String(parts[1]))
    }
}

/// One page of traces and where the next one starts.
public struct TracePage: Sendable {
    public var traces: [Trace]
    /// Nil on the last page.
    public var nextCursor: TraceCursor?

    public init(traces: [Trace], nextCursor: TraceCursor?) {
        self.traces = traces
        self.nextCursor = nextCursor
    }

    /// A page from up to `limit + 1` rows fetched newest first: the extra row only says another page follows.
    public init(fetched: [Trace], limit: Int) {
        guard fetched.count > limit else {
            self.init(traces: fetched, nextCursor: nil)
            return
        }
        let page = Array(fetched.prefix(limit))
        self.init(traces: page, nextCursor: page.last.map { TraceCursor(after: $0) })
    }
}
