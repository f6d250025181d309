extension InjectionCheck {
    /// Decodes each span that may hide text (base64, hex, Unicode tag characters) and scans what it holds;
    /// a span whose decoded text would be flagged on its own counts as an `encoded` hit over the whole span.
    func inspect(_ runs: [PhraseMatcher.EncodedRun], in text: UnsafeBufferPointer<UInt8>, hits: inout [PhraseMatcher.Hit]) {
        var decoded: [UInt8] = []
        for run in runs {
            let span = UnsafeBufferPointer(rebasing: text[run.range])
            let found: Bool
            switch run.kind {
            case .hex:
                Self.decodeHex(span, into: &decoded)
                found = Self.holdsInjection(decoded)
            case .tags:
                Self.decodeTags(span, into: &decoded)
                found = Self.holdsInjection(decoded)
            case .base64:
                // The run may start a character or more before the encoded text ("key_aWdub3Jl…"), so when the
                // aligned decoding holds nothing, try the other three alignments of runs of reasonable length.
                let offsets = span.count <= Self.realignLimit ? 0..<4 : 0..<1
                var any = false
                for offset in offsets where span.count - offset >= PhraseMatcher.minimumBase64Run {
                    Self.decodeBase64(UnsafeBufferPointer(rebasing: span[offset...]), into: &decoded)
                    if Self.holdsInjection(decoded) {
                        any = true
                        break
                    }
                }
                found = any
            }
            guard found else { continue }
            let builtin: Builtin = switch run.kind {
            case .base64: .hiddenBase64
            case .hex: .hiddenHex
            case .tags: .hiddenTags
            }
            hits.append(PhraseMatcher.Hit(rule: builtin.rawValue, range: run.range))
        }
    }

    /// Longest base64 run decoded at every alignment; longer ones (images, files) are decoded once, which keeps
    /// them cheap, and hidden instructions are short.
    static let realignLimit = 4 * 1024

    /// Whether decoded bytes, scanned as text with the default threshold, would be flagged by the phrase rules.
    static func holdsInjection(_ decoded: [UInt8]) -> Bool {
        guard decoded.count >= 8 else { return false }
        var hits: [PhraseMatcher.Hit] = []
        var nestedRuns: [PhraseMatcher.EncodedRun] = []  // not decoded again: one level of encoding is enough
        decoded.withUnsafeBufferPointer { matcher.scan($0, hits: &hits, encodedRuns: &nestedRuns) }
        guard !hits.isEmpty else { return false }
        let score = Score(hits: hits, rules: matcher.rules, categories: [.override, .jailbreak, .rolePlay, .encoded],
                          threshold: defaultThreshold)
        return score.isFlagged
    }

    /// Standard and URL-safe base64; characters outside the alphabet are skipped, a trailing partial group kept.
    static func decodeBase64(_ text: UnsafeBufferPointer<UInt8>, into decoded: inout [UInt8]) {
        decoded.removeAll(keepingCapacity: true)
        decoded.reserveCapacity(text.count * 3 / 4 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            default: continue
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                decoded.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
    }

    static func decodeHex(_ text: UnsafeBufferPointer<UInt8>, into decoded: inout [UInt8]) {
        decoded.removeAll(keepingCapacity: true)
        decoded.reserveCapacity(text.count / 2)
        var index = 0
        while index + 1 < text.count {
            decoded.append(hexValue(text[index]) << 4 | hexValue(text[index + 1]))
            index += 2
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: 0
        }
    }

    /// Tag characters U+E0000–U+E007F, four UTF-8 bytes each, mirror ASCII 0x00–0x7F.
    static func decodeTags(_ text: UnsafeBufferPointer<UInt8>, into decoded: inout [UInt8]) {
        decoded.removeAll(keepingCapacity: true)
        decoded.reserveCapacity(text.count / 4)
        var index = 0
        while index + 3 < text.count {
            decoded.append((text[index + 2] & 0x01) << 6 | (text[index + 3] & 0x3F))
            index += 4
        }
    }
}
