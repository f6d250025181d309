import Synchronization

/// The requests a fake upstream has received, in order.
public final class RequestRecorder: Sendable {
    private let requests = Mutex<[RecordedRequest]>([])
    private let streams = Mutex<StreamOutcomes>(StreamOutcomes())

    /// An empty recorder.
    public init() {}

    func append(_ request: RecordedRequest) {
        requests.withLock { $0.append(request) }
    }

    /// Everything received so far, oldest first.
    public var all: [RecordedRequest] { requests.withLock { $0 } }

    /// Forgets what was received.
    public func reset() {
        requests.withLock { $0.removeAll() }
        streams.withLock { $0 = StreamOutcomes() }
    }

    func streamEnded(completed: Bool) {
        streams.withLock { completed ? ($0.completed += 1) : ($0.broken += 1) }
    }

    /// How the fake's event streams have ended so far.
    public var streamOutcomes: StreamOutcomes { streams.withLock { $0 } }
}

/// How many event streams the fake sent to the end, and how many ended early: cut on purpose, or
/// because the client (Loupe) closed the connection.
public struct StreamOutcomes: Sendable, Equatable {
    public var completed = 0
    public var broken = 0
    public init() {}
}
