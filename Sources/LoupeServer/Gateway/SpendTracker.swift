import Foundation
import LoupeCore
import Synchronization

/// How much a key or a user has spent in the current budget period: the store's sum of recorded costs, re-read
/// at most every `refresh`, plus the costs this instance recorded that the store did not have at that read.
/// The store says which of this instance's recent traces its sum includes, so each call counts exactly once.
final class SpendTracker: Sendable {
    typealias Owner = SpendOwner

    /// A cost recorded here and not yet seen in the store.
    struct Pending {
        var traceID: String
        var at: Date
        var cost: USD
    }

    let store: any KeyStore
    let refresh: Duration
    /// How long a recorded cost may wait to reach the store before it stops counting: far longer than the trace
    /// writer takes, unless the store is down (when budgets cannot be read anyway).
    let maxPending: TimeInterval
    private let stored = Mutex<[Owner: (spent: USD, since: Date, fetched: ContinuousClock.Instant)]>([:])
    private let pending = Mutex<[Owner: [Pending]]>([:])

    init(store: any KeyStore, refresh: Duration = .seconds(1), maxPending: TimeInterval = 60) {
        self.store = store
        self.refresh = refresh
        self.maxPending = maxPending
    }

    /// The spend of `owner` since `since` (the start of its period).
    func spent(_ owner: Owner, since: Date) async throws -> USD {
        let now = ContinuousClock.now
        let total: USD
        if let entry = stored.withLock({ $0[owner] }), entry.since == since, now - entry.fetched < refresh {
            total = entry.spent
        } else {
            let waiting = pending.withLock { $0[owner]?.map(\.traceID) ?? [] }
            let reading = try await store.spend(of: owner, since: since, pending: waiting)
            stored.withLock { $0[owner] = (reading.spent, since, now) }
            pending.withLock { $0[owner]?.removeAll { reading.included.contains($0.traceID) } }
            total = reading.spent
        }
        let cutoff = Date().addingTimeInterval(-maxPending)
        let local = pending.withLock { pending in
            pending[owner]?.removeAll { $0.at < cutoff }
            return pending[owner]?.filter { $0.at >= since }.reduce(USD.zero) { $0 + $1.cost } ?? .zero
        }
        return total + local
    }

    /// Counts a call's cost against its key and user at once, before the store has it.
    func record(_ trace: Trace) {
        guard let cost = trace.cost, cost > .zero else { return }
        let entry = Pending(traceID: trace.id, at: trace.createdAt, cost: cost)
        pending.withLock { pending in
            if let key = trace.keyID { pending[.key(key), default: []].append(entry) }
            if let user = trace.user { pending[.user(user), default: []].append(entry) }
        }
    }
}
