/// A PostgreSQL URL that cannot be used, and why. Never holds the password.
public struct PostgresURLError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the URL, without repeating its password.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String {
        "invalid PostgreSQL URL: \(reason). Expected postgres://USER:PASSWORD@HOST:PORT/DATABASE "
            + "(postgresql:// also works; add ?sslmode=require for TLS)"
    }
}
