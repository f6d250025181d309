/// What one instance took from one rate-limit bucket (requests or tokens), as another instance reads it
/// back from the store, so that limits hold across instances sharing a store.
public struct RateUsage: Sendable, Hashable {
    /// The bucket's name, such as `key-rpm:key_3f9a…` or `model-tpm:gpt-4o-mini`.
    public var bucket: String
    public var amount: Double
    /// How long ago it was stored, by the store's clock (so instances' clocks need not agree).
    public var age: Duration

    public init(bucket: String, amount: Double, age: Duration) {
        self.bucket = bucket
        self.amount = amount
        self.age = age
    }

    /// Usage older than this is not read: a bucket refills completely in a minute.
    public static let windowMillis: Int64 = 60_000
    /// Publishing deletes usage older than this; longer than the window, so a slow reader still finds its rows.
    public static let retentionMillis: Int64 = 120_000

    /// Other instances' usage, oldest first, and the cursor to read on from.
    public struct Page: Sendable, Hashable {
        public var usage: [RateUsage]
        /// Opaque: pass it to the next read. 0 before the first read.
        public var cursor: Int64

        public init(usage: [RateUsage], cursor: Int64) {
            self.usage = usage
            self.cursor = cursor
        }
    }
}
