import Foundation

/// Where a provider's relayed calls go, read once from its base URL; the key of the relay's connection pools.
struct UpstreamOrigin: Hashable, Sendable {
    var host: String
    var port: Int
    var isTLS: Bool
    /// The provider's own CA file for TLS, which sets its connections apart from others to the same host.
    var caFile: String?
    /// The base URL's path, such as `/v1`; a call's path after `/v1` is appended to it.
    var basePath: String
    /// The `Host` header's value.
    var authority: String

    /// Reads `http(s)://host[:port][/path]`; nil for what AsyncHTTPClient serves instead: IPv6 literals, and TLS to an
    /// IP address (whose certificate AsyncHTTPClient checks against the address).
    init?(baseURL: String, caFile: String? = nil) {
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty, !host.contains(":"), components.query == nil
        else { return nil }
        isTLS = scheme == "https"
        if isTLS, host.allSatisfy({ $0.isNumber || $0 == "." }) { return nil }
        self.host = host
        self.caFile = isTLS ? caFile : nil
        self.port = components.port ?? (isTLS ? 443 : 80)
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
