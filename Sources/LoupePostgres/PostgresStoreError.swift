import LoupeCore
import PostgresNIO

/// A PostgreSQL store operation that failed: what the store was doing, against which server, and why.
public struct PostgresStoreError: Error, CustomStringConvertible {
    /// What the store was doing, such as "insert 500 traces".
    public var operation: String
    /// The server, as `HOST:PORT`; never the password.
    public var endpoint: String
    /// What went wrong and what to do.
    public var reason: String
    /// The PostgresNIO error behind this one, if any; its `String(reflecting:)` holds the server's full answer.
    public var underlying: (any Error)?

    public init(operation: String, endpoint: String, reason: String, underlying: (any Error)? = nil) {
        self.operation = operation
        self.endpoint = endpoint
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String { "PostgreSQL store at \(endpoint) could not \(operation): \(reason)" }

    /// Explains `error` in words; errors of Loupe's own (such as `SchemaError`) and cancellation pass through unchanged.
    static func wrapping(_ error: any Error, operation: String, endpoint: String) -> any Error {
        switch error {
        // Domain errors say what the caller did wrong; they pass through as they are.
        case is PostgresStoreError, is SchemaError, is CancellationError, is TrackingError, is PromptError, is KeyError: return error
        case let error as PSQLError:
            return PostgresStoreError(operation: operation, endpoint: endpoint, reason: reason(for: error), underlying: error)
        default:
            // PostgresNIO's pool trips a circuit breaker after a minute of failed connection attempts.
            let text = String(describing: error)
            let reason = text.contains("CircuitBreakerTripped")
                ? "connection attempts have failed for over a minute, so queries are refused until one succeeds; "
                    + "check that PostgreSQL is running there and accepts connections"
                : text
            return PostgresStoreError(operation: operation, endpoint: endpoint, reason: reason, underlying: error)
        }
    }

    private static func reason(for error: PSQLError) -> String {
        switch error.code {
        case .server:
            let info = error.serverInfo
            var text = "the server said: \(info?[.message] ?? "an unspecified error")"
            if let detail = info?[.detail] { text += " (\(detail))" }
            if let state = info?[.sqlState] { text += " [SQLSTATE \(state)]" }
            if let hint = info?[.hint] { text += "; hint: \(hint)" }
            return text
        case .connectionError:
            let cause = error.underlying.map { " (\($0))" } ?? ""
            return "could not connect\(cause); check that PostgreSQL is running there and accepts connections"
        case .serverClosedConnection, .uncleanShutdown:
            return "the server closed the connection, as it does when it restarts or stops; retry once it is back"
        case .poolClosed:
            return "the store is not running: its run() has ended (or never began), so it has no connections"
        case .sslUnsupported:
            return "the server does not support TLS; use ?sslmode=disable or enable TLS on the server"
        case .authMechanismRequiresPassword:
            return "the server asks for a password; put it in the URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)"
        case .queryCancelled:
            return "the query was cancelled"
        default:
            return "PostgresNIO failed with \(error.code)\(error.underlying.map { " (\($0))" } ?? "")"
        }
    }
}
