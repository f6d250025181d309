import LoupeCore

/// Checks one streamed answer as it arrives, for the rules that look at spans (secrets, PII, patterns).
///
/// Text is released only once no match can still grow across it: the last `holdback` bytes are kept back,
/// and the cut never falls inside a word, an unfinished private-key block, or a match. So a secret split
/// over two chunks is still caught whole, and what the client has seen is never taken back.
public struct GuardrailStreamFilter: Sendable {
    /// Bytes kept back at the end; longer than any match that contains spaces (phone numbers, IBANs).
    public static let holdback = 64
    /// A single word longer than this is released anyway, so a stream without spaces still flows.
    public static let maxHold = 16 * 1024

    /// What to do with the text fed so far.
    public enum Step: Sendable, Hashable {
        /// Send this text on (possibly empty, possibly redacted).
        case emit(String)
        /// Stop the stream: a `block` rule fired.
        case block(GuardrailBlock)
    }

    let rules: [GuardrailRule]
    private var pending: [UInt8] = []
    /// The results so far, for the trace.
    public private(set) var results = GuardrailEvaluation(texts: [])
    /// Everything released so far, after redaction.
    public private(set) var released = ""

    /// A filter for `policy`'s output rules that work on spans; rules that need the whole text run when the stream ends.
    public init(policy: GuardrailPolicy) {
        rules = policy.output.filter { !$0.needsCompleteText && $0.localCheck != nil }
    }

    /// True when there is anything to check incrementally.
    public var isActive: Bool { !rules.isEmpty }

    /// Adds the next piece of the answer.
    public mutating func feed(_ delta: String) -> Step {
        pending.append(contentsOf: delta.utf8)
        return release(upTo: safeCut())
    }

    /// Releases the rest at the end of the stream.
    public mutating func finish() -> Step {
        release(upTo: pending.count)
    }

    private mutating func release(upTo cut: Int) -> Step {
        guard cut > 0 else { return .emit("") }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        let evaluation = GuardrailPolicy.run(rules, over: [text], direction: .output)
        results.merge(evaluation.results)
        if let block = evaluation.block { return .block(block) }
        released += evaluation.texts[0]
        return .emit(evaluation.texts[0])
    }

    /// How many pending bytes can be checked and released now.
    private func safeCut() -> Int {
        let count = pending.count
        guard isActive else { return count }
        guard count > Self.holdback else { return 0 }
        return pending.withUnsafeBufferPointer { bytes in
            var cut = count - Self.holdback
            // Back up to the start of the word that the cut would split.
            var wordStart = cut
            while wordStart > 0 && !Self.isSpace(bytes[wordStart - 1]) { wordStart -= 1 }
            if wordStart > 0 || count <= Self.maxHold {
                cut = wordStart
            } else {
                while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // not inside a UTF-8 sequence
            }
            if let open = Self.unfinishedKeyBlock(bytes), count <= Self.maxHold { cut = min(cut, open) }
            // Not inside anything a rule finds in the whole pending text.
            let spans = rules.flatMap { rule in ((try? rule.localCheck?.findings(in: bytes)) ?? []).compactMap(\.range) }
            var moved = true
            while moved && cut > 0 {
                moved = false
                for span in spans where span.lowerBound < cut && span.upperBound > cut {
                    cut = span.lowerBound
                    moved = true
                }
            }
            return cut
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    private static let beginMarker = Array("-----BEGIN".utf8)
    private static let endMarker = Array("-----END".utf8)

    /// Where a `-----BEGIN …` block starts that has no `-----END` after it yet.
    private static func unfinishedKeyBlock(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var open: Int?
        var index = 0
        while index + endMarker.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "-") {
                if index + beginMarker.count <= bytes.count && bytes[index..<index + beginMarker.count].elementsEqual(beginMarker) {
                    if open == nil { open = index }
                    index += beginMarker.count
                    continue
                }
                if bytes[index..<index + endMarker.count].elementsEqual(endMarker) { open = nil }
            }
            index += 1
        }
        return open
    }
}
