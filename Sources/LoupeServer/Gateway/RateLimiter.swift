import LoupeCore
import Synchronization

/// Requests and tokens per minute as token buckets, one per key and per model: a bucket holds a minute's
/// allowance and refills continuously. A request takes one request token up front; its tokens are taken
/// once the answer says how many it used, so a call may finish over the TPM limit and the next waits.
///
/// With several instances on one store, `RateLimitSync` publishes what this instance took (`takeConsumed`)
/// and charges what the others took (`chargePeers`), so every instance's buckets see all consumption.
final class RateLimiter: Sendable {
    /// One limit's allowance: `level` of `perMinute`, as it stood at `updated`.
    struct Bucket {
        var level: Double
        var perMinute: Double
        var updated: ContinuousClock.Instant
    }

    /// Another instance's use of a bucket this one has not made yet, kept until the bucket is made.
    struct PeerCharge {
        var at: ContinuousClock.Instant
        var amount: Double
    }

    /// Everything behind the lock: buckets, charges waiting for their bucket, and local use to publish.
    fileprivate struct State {
        var buckets: [String: Bucket] = [:]
        var unplaced: [String: [PeerCharge]] = [:]
        /// What this instance took since the last `takeConsumed`, by bucket; never what peers took.
        var consumed: [String: Double] = [:]
    }

    private let state = Mutex(State())

    /// Takes `amount` from the bucket `name` of capacity `perMinute`; nil when allowed, otherwise the seconds
    /// until enough has refilled. With `amount` 0 it only checks that the bucket is not in debt.
    func take(_ name: String, perMinute: Int, amount: Double = 1) -> Double? {
        let now = ContinuousClock.now
        return state.withLock { state in
            var bucket = state.bucket(name, perMinute: Double(perMinute), at: now)
            let needed = max(amount, Double.ulpOfOne)
            guard bucket.level >= needed else {
                state.buckets[name] = bucket
                return (needed - bucket.level) * 60 / bucket.perMinute
            }
            bucket.level -= amount
            state.buckets[name] = bucket
            if amount > 0 { state.consumed[name, default: 0] += amount }
            return nil
        }
    }

    /// Takes tokens a call used after the fact; the bucket may go into debt.
    func charge(_ name: String, perMinute: Int, amount: Double) {
        let now = ContinuousClock.now
        state.withLock { state in
            var bucket = state.bucket(name, perMinute: Double(perMinute), at: now)
            bucket.level -= amount
            state.buckets[name] = bucket
            state.consumed[name, default: 0] += amount
        }
    }

    /// Charges what other instances took; buckets may go into debt. A bucket this instance has not used yet
    /// (its capacity unknown) gets the charges when it is first used, at the times they were made.
    func chargePeers(_ usage: [RateUsage]) {
        let now = ContinuousClock.now
        let window = Duration.milliseconds(RateUsage.windowMillis)
        state.withLock { state in
            for use in usage where use.amount > 0 && use.age < window {
                if let bucket = state.buckets[use.bucket] {
                    var refilled = Self.refilled(bucket, at: now)
                    refilled.level -= use.amount
                    state.buckets[use.bucket] = refilled
                } else {
                    state.unplaced[use.bucket, default: []].append(PeerCharge(at: now - use.age, amount: use.amount))
                }
            }
            // After a minute a bucket has refilled what they took (all of it, for a use within its capacity).
            for (name, charges) in state.unplaced {
                let recent = charges.filter { now - $0.at < window }
                state.unplaced[name] = recent.isEmpty ? nil : recent
            }
        }
    }

    /// What this instance took from each bucket since the last call, for `RateLimitSync` to publish.
    func takeConsumed() -> [String: Double] {
        state.withLock { state in
            defer { state.consumed.removeAll(keepingCapacity: true) }
            return state.consumed
        }
    }

    /// The bucket as it stands at `now`: refilled for the time since it was last used.
    fileprivate static func refilled(_ bucket: Bucket, at now: ContinuousClock.Instant) -> Bucket {
        var bucket = bucket
        let seconds = max(0, ProxyCall.milliseconds(now - bucket.updated) / 1000)
        bucket.level = min(bucket.perMinute, bucket.level + seconds * bucket.perMinute / 60)
        bucket.updated = max(bucket.updated, now)
        return bucket
    }
}

extension RateLimiter.State {
    /// The bucket `name` as it stands at `now`, with capacity `perMinute`. A new one starts full, less what
    /// other instances took from it in the last minute, replayed in order as if it had existed all along.
    fileprivate mutating func bucket(_ name: String, perMinute: Double, at now: ContinuousClock.Instant) -> RateLimiter.Bucket {
        if var bucket = buckets[name] {
            bucket.perMinute = perMinute  // a key's limit may have changed
            return RateLimiter.refilled(bucket, at: now)
        }
        let charges = (unplaced.removeValue(forKey: name) ?? []).sorted { $0.at < $1.at }
        var bucket = RateLimiter.Bucket(level: perMinute, perMinute: perMinute, updated: min(charges.first?.at ?? now, now))
        for charge in charges {
            bucket = RateLimiter.refilled(bucket, at: charge.at)
            bucket.level -= charge.amount
        }
        return RateLimiter.refilled(bucket, at: now)
    }
}
