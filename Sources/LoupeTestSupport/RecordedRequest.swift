import Synchronization

/// One request as the fake upstream received it.
public struct RecordedRequest: Sendable {
    public let method: String
    /// The path with its query string.
    public let path: String
    /// Header values by lowercased name.
    public let headers: [String: String]
    public let body: String
}

/// The requests a fake upstream has received, in order.
public final class RequestRecorder: Sendable {
    private let requests = Mutex<[RecordedRequest]>([])

    public init() {}

    func append(_ request: RecordedRequest) {
        requests.withLock { $0.append(request) }
    }

    /// Everything received so far.
    public var all: [RecordedRequest] { requests.withLock { $0 } }

    /// Forgets what was received.
    public func reset() { requests.withLock { $0.removeAll() } }
}
