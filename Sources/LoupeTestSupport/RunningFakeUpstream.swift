/// A fake upstream that is listening: where it is and what it has received.
public struct RunningFakeUpstream: Sendable {
    /// The port the fake listens on.
    public let port: Int
    let recorder: RequestRecorder

    /// The OpenAI-style base URL, `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The requests received so far, oldest first.
    public func requests() -> [RecordedRequest] { recorder.all }

    /// How the event streams sent so far have ended.
    public func streamOutcomes() -> StreamOutcomes { recorder.streamOutcomes }

    /// Forgets the requests received so far.
    public func reset() { recorder.reset() }
}
