/// Substring search over UTF-8 bytes, optionally ignoring ASCII case; time is at most text × needle length,
/// and needles come from config, so it stays linear in the text.
struct ByteSearch: Sendable {
    let needle: [UInt8]
    let ignoringCase: Bool

    init(_ needle: String, ignoringCase: Bool) {
        self.needle = ignoringCase ? needle.utf8.map(ByteSearch.lower) : Array(needle.utf8)
        self.ignoringCase = ignoringCase
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Every non-overlapping occurrence, in order.
    func ranges(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        guard !needle.isEmpty, text.count >= needle.count else { return [] }
        var found: [Range<Int>] = []
        var start = 0
        let last = text.count - needle.count
        let first = needle[0]
        while start <= last {
            let byte = ignoringCase ? Self.lower(text[start]) : text[start]
            if byte == first && matches(at: start, in: text) {
                found.append(start..<start + needle.count)
                start += needle.count
            } else {
                start += 1
            }
        }
        return found
    }

    func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard text.count >= needle.count else { return false }
        for start in 0...(text.count - needle.count) where matches(at: start, in: text) { return true }
        return false
    }

    private func matches(at start: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in 0..<needle.count {
            let byte = ignoringCase ? Self.lower(text[start + offset]) : text[start + offset]
            if byte != needle[offset] { return false }
        }
        return true
    }
}
