import Foundation
import LoupeCore
import Synchronization

/// Finds the virtual key a request presents, from a short-lived cache of the store's keys: a call does not
/// wait on the store, and a revoke or rotation on any instance takes effect within `ttl`.
final class KeyRing: Sendable {
    let store: any KeyStore
    let ttl: Duration
    private let cache = Mutex<[String: (key: VirtualKey?, fetched: ContinuousClock.Instant)]>([:])
    private static let maxEntries = 100_000

    init(store: any KeyStore, ttl: Duration = .seconds(2)) {
        self.store = store
        self.ttl = ttl
    }

    /// The key whose secret is `secret`, or nil when none is (unknown keys are cached too, so guessing costs no store reads).
    func key(secret: String) async throws -> VirtualKey? {
        let hash = KeyMint.hash(secret)
        let now = ContinuousClock.now
        if let hit = cache.withLock({ $0[hash] }), now - hit.fetched < ttl { return hit.key }
        let key = try await store.key(hash: hash)
        cache.withLock { cache in
            if cache.count >= Self.maxEntries { cache.removeAll(keepingCapacity: true) }
            cache[hash] = (key, now)
        }
        return key
    }

    /// Forgets every cached key, after this instance revoked or rotated one.
    func invalidate() {
        cache.withLock { $0.removeAll() }
    }
}
