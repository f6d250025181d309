import NIOCore
import ServiceLifecycle
import Synchronization

/// The relay's connection pools, one per event loop, closed when the server shuts down.
final class UpstreamPools: Service, Sendable {
    private let pools = Mutex<[ObjectIdentifier: NIOLoopBound<UpstreamPool>]>([:])

    init() {}

    /// The pool of the loop the caller runs on.
    func pool(on eventLoop: any EventLoop) -> UpstreamPool {
        eventLoop.preconditionInEventLoop()
        let bound = pools.withLock { pools in
            if let bound = pools[ObjectIdentifier(eventLoop)] { return bound }
            let bound = NIOLoopBound(UpstreamPool(eventLoop: eventLoop), eventLoop: eventLoop)
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
