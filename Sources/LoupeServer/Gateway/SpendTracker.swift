import Foundation
import LoupeCore
import Synchronization

/// How much a key or a user has spent in the current budget period: the store's sum of recorded costs,
/// re-read at most every `refresh`, plus the costs this instance recorded in the last `settle` (which the
/// store may not have yet). It counts a recent call twice rather than not at all, so a budget is refused a
/// little early, never late, for the calls this instance sees.
final class SpendTracker: Sendable {
    enum Owner: Hashable, Sendable {
        case key(String)
        case user(String)
    }

    let store: any KeyStore
    let refresh: Duration
    /// How long a recorded cost is counted locally: longer than the trace writer takes to store it.
    let settle: Duration
    private let stored = Mutex<[Owner: (spent: USD, since: Date, fetched: ContinuousClock.Instant)]>([:])
    private let recent = Mutex<[Owner: [(at: ContinuousClock.Instant, cost: USD)]]>([:])

    init(store: any KeyStore, refresh: Duration = .seconds(1), settle: Duration = .seconds(5)) {
        self.store = store
        self.refresh = refresh
        self.settle = settle
    }

    /// The spend of `owner` since `since` (the start of its period).
    func spent(_ owner: Owner, since: Date) async throws -> USD {
        let now = ContinuousClock.now
        var total: USD
        if let entry = stored.withLock({ $0[owner] }), entry.since == since, now - entry.fetched < refresh {
            total = entry.spent
        } else {
            total = switch owner {
            case .key(let id): try await store.spend(keyID: id, since: since)
            case .user(let user): try await store.spend(user: user, since: since)
            }
            stored.withLock { $0[owner] = (total, since, now) }
        }
        let local = recent.withLock { recent in
            recent[owner]?.removeAll { now - $0.at > settle }
            return recent[owner]?.reduce(USD.zero) { $0 + $1.cost } ?? .zero
        }
        total += local
        return total
    }

    /// Counts a call's cost against its key and user at once, before the store has it.
    func record(_ cost: USD, key: String?, user: String?) {
        guard cost > .zero else { return }
        let now = ContinuousClock.now
        recent.withLock { recent in
            if let key { recent[.key(key), default: []].append((now, cost)) }
            if let user { recent[.user(user), default: []].append((now, cost)) }
        }
    }
}
