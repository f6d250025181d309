import Synchronization

/// Requests and tokens per minute as token buckets, one per key and per model: a bucket holds a minute's
/// allowance and refills continuously. A request takes one request token up front; its tokens are taken
/// once the answer says how many it used, so a call may finish over the TPM limit and the next waits.
final class RateLimiter: Sendable {
    struct Bucket {
        var level: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// Takes `amount` from the bucket `name` of capacity `perMinute`; nil when allowed, otherwise the seconds
    /// until enough has refilled. With `amount` 0 it only checks that the bucket is not in debt.
    func take(_ name: String, perMinute: Int, amount: Double = 1) -> Double? {
        let now = ContinuousClock.now
        let capacity = Double(perMinute)
        return buckets.withLock { buckets in
            var bucket = Self.refilled(buckets[name], capacity: capacity, at: now)
            let needed = max(amount, Double.ulpOfOne)
            guard bucket.level >= needed else {
                buckets[name] = bucket
                return (needed - bucket.level) * 60 / capacity
            }
            bucket.level -= amount
            buckets[name] = bucket
            return nil
        }
    }

    /// The bucket as it stands at `now`: full when new, otherwise refilled for the time since it was last used.
    private static func refilled(_ bucket: Bucket?, capacity: Double, at now: ContinuousClock.Instant) -> Bucket {
        guard var bucket else { return Bucket(level: capacity, updated: now) }
        let seconds = ProxyCall.milliseconds(now - bucket.updated) / 1000
        bucket.level = min(capacity, bucket.level + seconds * capacity / 60)
        bucket.updated = now
        return bucket
    }

    /// Takes tokens a call used after the fact; the bucket may go into debt.
    func charge(_ name: String, perMinute: Int, amount: Double) {
        let now = ContinuousClock.now
        let capacity = Double(perMinute)
        buckets.withLock { buckets in
            var bucket = Self.refilled(buckets[name], capacity: capacity, at: now)
            bucket.level -= amount
            buckets[name] = bucket
        }
    }
}
