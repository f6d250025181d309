/// Shares what each instance takes from its rate-limit buckets, so that every instance on one store can
/// charge the others' consumption to its own buckets.
///
/// Each row is read by every other instance exactly once: a read returns the rows stored after its cursor,
/// and a backend must make sure a row committed after a read can never carry an id below that read's cursor.
public protocol RateUsageStore: Sendable {
    /// Appends what `instance` took from each bucket since its last publish, stamped with the store's clock,
    /// and deletes usage older than `RateUsage.retentionMillis`. Nothing to publish is a no-op.
    func publishRateUsage(instance: String, usage: [String: Double]) async throws
    /// What instances other than `instance` published after `cursor` (0 at first) and within the last
    /// `RateUsage.windowMillis`, oldest first.
    func rateUsage(excluding instance: String, after cursor: Int64) async throws -> RateUsage.Page
}
