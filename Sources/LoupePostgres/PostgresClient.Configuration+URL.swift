import Foundation
import PostgresNIO

extension PostgresClient.Configuration {
    /// Reads `postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=disable|require]`; TLS is off unless `sslmode=require`.
    public init(url: String) throws(PostgresURLError) {
        // Percent-decoding of user and password comes from URLComponents; errors below never echo the password.
        guard let components = URLComponents(string: url) else {
            throw PostgresURLError(reason: "it is not a valid URL (percent-encode special characters in the password, such as @ as %40 and / as %2F)")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresURLError(reason: "the scheme must be postgres:// or postgresql://")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }  // IPv6 literal
        guard !host.isEmpty else { throw PostgresURLError(reason: "it names no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresURLError(reason: "it names no user") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw PostgresURLError(reason: "port \(port) is out of range 1-65535") }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard !database.contains("/") else { throw PostgresURLError(reason: "the database name '\(database)' contains '/'") }

        var tls = TLS.disable
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): tls = .disable
            case ("sslmode", "require"): tls = .require(.makeClientConfiguration())
            case ("sslmode", let value):
                throw PostgresURLError(reason: "sslmode '\(value ?? "")' is not supported; use sslmode=disable or sslmode=require")
            case (let name, _):
                throw PostgresURLError(reason: "the parameter '\(name)' is not supported; only sslmode is")
            }
        }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        self.init(host: host, port: port, username: user, password: password, database: database.isEmpty ? nil : database, tls: tls)
    }
}
