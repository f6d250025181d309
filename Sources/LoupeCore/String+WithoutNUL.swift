import Foundation

extension String {
    /// The text with NUL replaced by U+FFFD, as both stores keep it: PostgreSQL refuses NUL in text
    /// and SQLite's reader stops at it, so a body with one would otherwise fail or come back cut.
    public var withoutNUL: String {
        // memchr: bodies are large and this runs on every one of them.
        let hasNUL = utf8.withContiguousStorageIfAvailable { bytes in
            bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false
        } ?? utf8.contains(0)
        return hasNUL ? replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : self
    }
}
