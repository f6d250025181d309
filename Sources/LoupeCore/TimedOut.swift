/// An operation on the store did not finish in time.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was being done, such as "write traces to the store".
    public var operation: String
    public var timeout: Duration
    public var description: String { "could not \(operation) within \(timeout)" }

    public init(operation: String, timeout: Duration) {
        self.operation = operation
        self.timeout = timeout
    }
}

/// Runs `body`, cancelling it and throwing `TimedOut` after `timeout`, so a hung store cannot stall the caller.
public func withTimeout(
    _ timeout: Duration, operation: String, _ body: @escaping @Sendable () async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(operation: operation, timeout: timeout)
        }
        defer { group.cancelAll() }
        try await group.next()
    }
}
