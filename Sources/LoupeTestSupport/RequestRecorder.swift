import Synchronization

/// The requests a fake upstream has received, in order.
public final class RequestRecorder: Sendable {
    private let requests = Mutex<[RecordedRequest]>([])

    /// An empty recorder.
    public init() {}

    func append(_ request: RecordedRequest) {
        requests.withLock { $0.append(request) }
    }

    /// Everything received so far, oldest first.
    public var all: [RecordedRequest] { requests.withLock { $0 } }

    /// Forgets what was received.
    public func reset() { requests.withLock { $0.removeAll() } }
}
