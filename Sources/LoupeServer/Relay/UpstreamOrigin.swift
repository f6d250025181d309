import Foundation

/// Where a provider's relayed calls go, read once from its base URL; the key of the relay's connection pools.
struct UpstreamOrigin: Hashable, Sendable {
    var host: String
    var port: Int
    /// The base URL's path, such as `/v1`; a call's path after `/v1` is appended to it.
    var basePath: String
    /// The `Host` header's value.
    var authority: String

    /// Reads `http://host[:port][/path]`; nil for anything else (TLS, IPv6 literals), which AsyncHTTPClient serves instead.
    init?(baseURL: String) {
        guard let components = URLComponents(string: baseURL), components.scheme?.lowercased() == "http",
            let host = components.host, !host.isEmpty, !host.contains(":"), components.query == nil
        else { return nil }
        self.host = host
        self.port = components.port ?? 80
        self.basePath = components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        self.authority = components.port.map { "\(host):\($0)" } ?? host
    }

    /// The request target upstream for a client's `/v1/...` target (path and query).
    func target(for clientTarget: String) -> String {
        let rest = clientTarget.hasPrefix("/v1") ? clientTarget.dropFirst(3) : clientTarget[...]
        let target = basePath + rest
        return target.isEmpty || target.first == "?" ? "/" + target : target
    }
}
