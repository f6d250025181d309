extension PIICheck.Scanner {
    /// `local@domain.tld`, found from its `@`: the local part is read backwards (at most 64 bytes), the domain forwards
    /// (at most 253). An address inside code is still an address.
    ///
    /// Not addresses: `@mentions`, decorators and npm scopes (nothing before the `@`), hosts without a dot
    /// (`user@localhost`), `pkg@1.2.3` (the last label must be letters), retina assets such as `icon@2x.png`,
    /// and `git@host`, the SSH user of every git remote (`git@github.com:org/repo.git`), which names a service, not a person.
    mutating func email(at sign: Int) -> Int? {
        guard enabled.contains(.email) else { return nil }
        var start = sign
        while start > 0 && sign - start <= 64 && isLocalByte(text[start - 1]) { start -= 1 }
        guard sign - start <= 64 else { return nil }
        // Punctuation that leads a local part is the text around it ("--to=a@b", "...a@b").
        while start < sign && (text[start] == UInt8(ascii: ".") || text[start] == UInt8(ascii: "-") || text[start] == UInt8(ascii: "+")) {
            start += 1
        }
        guard start < sign, text[sign - 1] != UInt8(ascii: ".") else { return nil }
        if sign - start == 3 && text.hasPrefix("git", at: start) { return nil }

        guard let domain = domain(from: sign + 1) else { return nil }
        return record(.email, start..<domain)
    }

    /// The end of a domain name of two or more labels whose last label is 2–24 letters, or nil.
    /// A trailing dot ends a sentence, not the domain.
    private func domain(from start: Int) -> Int? {
        var index = start
        var labelStart = start
        var labels = 0
        var firstLabelEnd = -1
        while true {
            if index - start > 253 { return nil }
            let byte = text[index]
            if ByteClass.isAlnum(byte) || byte == UInt8(ascii: "-") {
                index += 1
                continue
            }
            guard index > labelStart, index - labelStart <= 63,
                text[labelStart] != UInt8(ascii: "-"), text[index - 1] != UInt8(ascii: "-")
            else { return nil }
            labels += 1
            if firstLabelEnd < 0 { firstLabelEnd = index }
            // Another label follows only when a dot is followed by a label byte.
            guard byte == UInt8(ascii: "."), ByteClass.isAlnum(text[index + 1]) else { break }
            index += 1
            labelStart = index
        }
        let tldLength = index - labelStart
        guard labels >= 2, (2...24).contains(tldLength) else { return nil }
        for position in labelStart..<index where !ByteClass.isLetter(text[position]) { return nil }
        if isImageExtension(labelStart, tldLength) { return nil }
        // "@2x", "@3x": a scale suffix on an asset name, whatever the extension.
        if text[firstLabelEnd - 1] == UInt8(ascii: "x") && firstLabelEnd - start >= 2 {
            var allDigits = true
            for position in start..<firstLabelEnd - 1 where !ByteClass.isDigit(text[position]) { allDigits = false }
            if allDigits { return nil }
        }
        return index
    }

    private func isImageExtension(_ start: Int, _ length: Int) -> Bool {
        guard length <= 4 else { return false }
        var word: UInt32 = 0
        for position in start..<start + length { word = word << 8 | UInt32(ByteClass.lower(text[position])) }
        switch word {
        case 0x706E67, 0x6A7067, 0x6A706567, 0x676966, 0x737667, 0x77656270, 0x61766966, 0x626D70, 0x69636F,
            0x746966, 0x74696666, 0x68656963:
            return true  // png jpg jpeg gif svg webp avif bmp ico tif tiff heic
        default:
            return false
        }
    }

    /// Letters, digits and `._%+-`: the local-part bytes that real addresses use (RFC 5322 allows more, nobody does).
    @inline(__always) private func isLocalByte(_ byte: UInt8) -> Bool {
        ByteClass.isWord(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "%")
    }
}
