import Foundation

extension Date {
    /// Whole Unix milliseconds, rounded down: how both stores keep times, so that cursors compare exactly.
    public var unixMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
