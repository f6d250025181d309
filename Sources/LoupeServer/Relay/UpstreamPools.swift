import LoupeConfig
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The relay's connection pools, one per event loop, closed when the server shuts down.
final class UpstreamPools: Service, Sendable {
    private let pools = Mutex<[ObjectIdentifier: NIOLoopBound<UpstreamPool>]>([:])
    /// One TLS context per HTTPS origin, made at start: making one reads the system's trust roots.
    private let tls: [UpstreamOrigin: NIOSSLContext]

    /// Pools for connections to the providers' `origins`, by provider name; a CA file that cannot be used stops the start.
    init(origins: [String: UpstreamOrigin] = [:], configFile: String? = nil) throws {
        var tls: [UpstreamOrigin: NIOSSLContext] = [:]
        for (name, origin) in origins where origin.isTLS && tls[origin] == nil {
            do {
                tls[origin] = try NIOSSLContext(configuration: ProviderTLS.configuration(caFile: origin.caFile))
            } catch {
                throw ConfigError(
                    file: configFile, line: nil, key: "providers.\(name).ca_file",
                    message: "the certificates in '\(origin.caFile ?? "")' cannot be used (\(error)); expected PEM certificates of the provider's CA"
                )
            }
        }
        self.tls = tls
    }

    /// The pool of the loop the caller runs on.
    func pool(on eventLoop: any EventLoop) -> UpstreamPool {
        eventLoop.preconditionInEventLoop()
        let bound = pools.withLock { pools in
            if let bound = pools[ObjectIdentifier(eventLoop)] { return bound }
            let bound = NIOLoopBound(UpstreamPool(eventLoop: eventLoop, tls: tls), eventLoop: eventLoop)
            pools[ObjectIdentifier(eventLoop)] = bound
            return bound
        }
        return bound.value
    }

    func run() async throws {
        try? await gracefulShutdown()
        for bound in pools.withLock({ Array($0.values) }) {
            bound.eventLoop.execute { bound.value.close() }
        }
    }
}
