extension PIICheck.Scanner {
    /// A dotted-quad IPv4 address standing alone: octets 0–255 without leading zeros, not glued to letters or to more
    /// dotted numbers (`1.2.3.4.5` is a version). Not flagged, as they identify no one or are numbered things:
    /// `0.x.x.x` and `x.0.0.0` (`1.0.0.0` is a version, `10.0.0.0` a network), loopback `127.x.x.x`, and a quad right
    /// after a word that numbers things ("version", "release", "build", "section", "chapter", "figure", "step"…;
    /// `v1.2.3.4` is glued to its `v` already). Other quads, `1.2.3.4` included, are flagged: that is how an address looks.
    func ipv4(at start: Int) -> Int? {
        guard text[start - 1] != UInt8(ascii: "."), let end = dottedQuad(at: start) else { return nil }
        guard !ByteClass.isAlnum(text[end]), !(text[end] == UInt8(ascii: ".") && ByteClass.isDigit(text[end + 1])) else { return nil }
        if text[start] == UInt8(ascii: "0") || text.hasPrefix("127.", at: start) || text.hasPrefix(".0.0.0", at: end - 6) { return nil }
        if followsNumberingWord(start) { return nil }
        return end
    }

    /// The end of `d.d.d.d` with octets 0–255 and no leading zeros, or nil.
    func dottedQuad(at start: Int) -> Int? {
        var index = start
        for octet in 0..<4 {
            if octet > 0 {
                guard text[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            let run = text.digitRun(at: index)
            guard (1...3).contains(run), run == 1 || text[index] != UInt8(ascii: "0"), number(index, run) <= 255 else { return nil }
            index += run
        }
        return index
    }

    /// Words after which a dotted quad numbers something.
    private static let numberingWords: [StaticString] = [
        "version", "ver", "release", "build", "firmware", "section", "sections", "sec", "chapter", "figure", "fig",
        "table", "step", "clause", "article", "appendix", "paragraph", "item", "rule", "page",
    ]

    /// Whether the word before `start` (past spaces, a colon and a dot, as in "Fig. ") is one of `numberingWords`.
    private func followsNumberingWord(_ start: Int) -> Bool {
        var end = start
        while end > 0 && start - end < 4
            && (text[end - 1] == UInt8(ascii: " ") || text[end - 1] == UInt8(ascii: ":") || text[end - 1] == UInt8(ascii: "."))
        {
            end -= 1
        }
        guard end < start else { return false }
        var wordStart = end
        while wordStart > 0 && end - wordStart < 10 && ByteClass.isLetter(text[wordStart - 1]) { wordStart -= 1 }
        guard !ByteClass.isLetter(text[wordStart - 1]) else { return false }
        for word in Self.numberingWords where word.utf8CodeUnitCount == end - wordStart {
            if text.hasPrefixIgnoringCase(word, at: wordStart) { return true }
        }
        return false
    }

    /// An IPv6 address, found at one of its colons: up to eight groups of 1–4 hex digits with at most one `::`,
    /// optionally ending in a dotted quad (`::ffff:192.0.2.1`). The scan backs up at most 39 bytes to where the address
    /// would start. To keep `std::vector`, `Foo::bar`, times (`12:30:45`) and MAC addresses out, the address must stand
    /// alone, have at least two groups and a decimal digit; so `::1` and `::` (loopback, unspecified) are not flagged.
    mutating func ipv6(colonAt colon: Int) -> Int? {
        guard enabled.contains(.ipAddress), colon >= ipv6TriedUntil else { return nil }
        var start = colon
        while start > 0 && colon - start < 39 && (ByteClass.isHex(text[start - 1]) || text[start - 1] == UInt8(ascii: ":")) { start -= 1 }
        if let end = ipv6Address(at: start) { return record(.ipAddress, start..<end) }
        // Colons later in the same run would back up to the same start and fail again.
        var runEnd = colon + 1
        while runEnd < text.count && (ByteClass.isHex(text[runEnd]) || text[runEnd] == UInt8(ascii: ":")) { runEnd += 1 }
        ipv6TriedUntil = runEnd
        return nil
    }

    private func ipv6Address(at start: Int) -> Int? {
        let before = text[start - 1]
        guard !ByteClass.isWord(before), before != UInt8(ascii: "."), before != UInt8(ascii: ":") else { return nil }
        var index = start
        var groups = 0
        var compressed = false
        var hasDecimalDigit = false
        if text[index] == UInt8(ascii: ":") {
            guard text[index + 1] == UInt8(ascii: ":") else { return nil }
            compressed = true
            index += 2
        }
        while groups < 9 {
            let groupStart = index
            while index - groupStart < 5 && ByteClass.isHex(text[index]) {
                if ByteClass.isDigit(text[index]) { hasDecimalDigit = true }
                index += 1
            }
            let length = index - groupStart
            if length == 0 { break }  // only right after "::"
            guard length <= 4 || text[index] == UInt8(ascii: ".") else { return nil }
            if text[index] == UInt8(ascii: ".") {  // an IPv4 tail takes the room of two groups
                guard let end = dottedQuad(at: groupStart) else { return nil }
                index = end
                groups += 2
                break
            }
            groups += 1
            guard text[index] == UInt8(ascii: ":") else { break }
            if text[index + 1] == UInt8(ascii: ":") {
                guard !compressed else { return nil }
                compressed = true
                index += 2
            } else if ByteClass.isHex(text[index + 1]) {
                index += 1
            } else {
                break  // a colon after the address ("at fe80::1: ...")
            }
        }
        guard compressed ? groups <= 7 : groups == 8, groups >= 2, hasDecimalDigit else { return nil }
        let after = text[index]
        guard !ByteClass.isWord(after), !(after == UInt8(ascii: ":") && ByteClass.isHex(text[index + 1])),
            !(after == UInt8(ascii: ".") && ByteClass.isDigit(text[index + 1]))
        else { return nil }
        return index
    }
}
