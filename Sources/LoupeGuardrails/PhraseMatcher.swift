/// Finds the phrases of `InjectionCheck`'s rules in UTF-8 text in one pass, in time linear in the text's length.
///
/// The text is read as words: runs of ASCII letters and digits, lowercased through a table that also reads leetspeak
/// digits as letters ("1gn0re" is "ignore"). Punctuation and whitespace between words do not matter, and zero-width
/// characters inside a word are skipped, so "ig\u{200B}nore" is still "ignore". Each word of up to 16 bytes is looked
/// up in the rules' vocabulary; a word outside it ends every partial match at once, which keeps ordinary prose cheap.
/// Vocabulary words are grouped into classes: words that fill exactly the same pattern slots share one, and each slot
/// is a bit set of classes. Every rule is a small automaton (a chain of slots, with skips for optional words and side
/// chains for alternatives of several words); the scan runs all of them at once, keeping the set of live states
/// without duplicates, so each word costs at most a pass over the live states, however the text is built.
/// A rule with a gap (`act as ..4 without`) is split into a head and a tail; the tail counts when it starts
/// at most that many words after the latest head ended.
///
/// Along the way the scan notes what the automaton cannot see: chat-template tokens (`<|im_start|>`, `[INST]`),
/// invisible and bidi control characters, Unicode tag characters, and runs that may hold base64 or hex.
///
/// The tables are immutable after `init`, which is why sharing the class across tasks is safe.
final class PhraseMatcher: @unchecked Sendable {
    /// A rule that matched `range`, in UTF-8 byte offsets.
    struct Hit: Sendable, Hashable {
        var rule: Int
        var range: Range<Int>
    }

    /// A span that may hide text in an encoding; `InjectionCheck` decodes it and scans the result.
    struct EncodedRun: Sendable, Hashable {
        enum Kind: Sendable, Hashable { case base64, hex, tags }
        var kind: Kind
        var range: Range<Int>
    }

    typealias Rule = InjectionCheck.Rule

    let rules: [Rule]

    // Byte tables.
    private let byteClass: UnsafeMutablePointer<UInt8>
    private let lowered: UnsafeMutablePointer<UInt8>

    // Vocabulary: open addressing on the word packed into two integers (exact, so no false hits).
    private let vocabularyBits: Int
    /// Buckets hold 1 + the word's index, or 0; a small table keeps the common miss in the first-level cache.
    private let vocabularyBuckets: UnsafeMutablePointer<UInt16>
    private let vocabularyLow: UnsafeMutablePointer<UInt64>
    private let vocabularyHigh: UnsafeMutablePointer<UInt64>
    /// Class in the low 16 bits; bit 16 set when the word counts only in capitals (DAN, not Dan).
    private let vocabularyValue: UnsafeMutablePointer<UInt32>

    // The rules' automata. States are numbered across all rules; every transition reads one slot.
    private let stateCount: Int
    private let slotWords: Int
    /// Bit `class` of slot `s` lives in word `s * slotWords + class / 64`.
    private let slotBits: UnsafeMutablePointer<UInt64>
    private let transitionStart: UnsafeMutablePointer<Int32>
    private let transitionSlot: UnsafeMutablePointer<Int32>
    private let transitionTarget: UnsafeMutablePointer<Int32>
    /// The states a word of each class reaches from the start of any rule.
    private let startListStart: UnsafeMutablePointer<Int32>
    private let startListTarget: UnsafeMutablePointer<Int32>
    /// The pattern a state completes, or -1.
    private let accepting: UnsafeMutablePointer<Int32>

    private struct Pattern {
        enum Part: UInt8 { case whole, head, tail }
        var rule: Int
        var part: Part
        /// The rule's slot among gap rules, for heads and tails.
        var gapSlot: Int
    }
    private let patterns: [Pattern]
    /// Most words a gap may hold, per gap slot.
    private let gapLimits: [Int]

    /// How many recent words the scan remembers; no pattern may be longer.
    private static let windowSize = 32
    /// Shortest run of base64 alphabet worth decoding.
    static let minimumBase64Run = 16
    /// Shortest run of hex digits worth decoding (16 bytes of text).
    static let minimumHexRun = 32

    // Byte classes.
    private static let word: UInt8 = 1, upper: UInt8 = 2, lower: UInt8 = 4, digit: UInt8 = 8
    private static let base64Punctuation: UInt8 = 16, special: UInt8 = 32
    // Word flags.
    private static let firstOnLine: UInt8 = 1, headingLine: UInt8 = 2, colonAfter: UInt8 = 4, allCapitals: UInt8 = 8
    private static let afterNegation: UInt8 = 16

    init(rules: [Rule]) {
        self.rules = rules

        let byteClass = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        let lowered = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        self.byteClass = byteClass
        self.lowered = lowered
        for byte in 0..<256 {
            let b = UInt8(byte)
            var bits: UInt8 = 0
            var low = b
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bits = Self.word | Self.upper; low = b | 0x20
            case UInt8(ascii: "a")...UInt8(ascii: "z"): bits = Self.word | Self.lower
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                bits = Self.word | Self.digit
                // Leetspeak: digits that stand for letters ("1gn0r3" is "ignore"); words of digits alone are skipped.
                switch b {
                case UInt8(ascii: "0"): low = UInt8(ascii: "o")
                case UInt8(ascii: "1"): low = UInt8(ascii: "i")
                case UInt8(ascii: "3"): low = UInt8(ascii: "e")
                case UInt8(ascii: "4"): low = UInt8(ascii: "a")
                case UInt8(ascii: "5"): low = UInt8(ascii: "s")
                case UInt8(ascii: "7"): low = UInt8(ascii: "t")
                default: break
                }
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"): bits = Self.base64Punctuation
            case UInt8(ascii: "\n"), UInt8(ascii: "#"), UInt8(ascii: "<"), UInt8(ascii: "["): bits = Self.special
            default: break
            }
            byteClass[byte] = bits
            lowered[byte] = low
        }

        // Parse the patterns. Each element gets one slot for its one-word alternatives, and one slot per word of
        // each longer alternative.
        struct Element {
            var singleSlot: Int?
            var chains: [[Int]]
            var optional: Bool
        }
        struct Parsed {
            var head: [Element] = []
            var gap: Int?
            var tail: [Element] = []
        }
        var upperOnly = Set<String>()
        var slotWordsList: [[String]] = []
        var parsedRules: [Parsed?] = []
        for rule in rules {
            guard !rule.pattern.isEmpty else { parsedRules.append(nil); continue }
            var parsed = Parsed()
            for token in rule.pattern.split(separator: " ") {
                if token.hasPrefix("..") {
                    guard parsed.gap == nil, let gap = Int(token.dropFirst(2)) else {
                        preconditionFailure("injection rule '\(rule.signal)': a gap is `..N`, at most one per rule")
                    }
                    parsed.gap = gap
                    continue
                }
                var body = Substring(token)
                let optional = body.hasPrefix("[")
                if optional { body = body.dropFirst().dropLast() }
                var singles: [String] = []
                var chains: [[Int]] = []
                for alternative in body.split(separator: "|") {
                    let words = alternative.split(separator: "+").map { raw -> String in
                        var text = String(raw)
                        if text.hasPrefix("=") {
                            text.removeFirst()
                            upperOnly.insert(Self.normalize(text, lowered))
                        }
                        return Self.normalize(text, lowered)
                    }
                    if words.count == 1 {
                        singles.append(words[0])
                    } else {
                        chains.append(words.map { word in
                            slotWordsList.append([word])
                            return slotWordsList.count - 1
                        })
                    }
                }
                var singleSlot: Int?
                if !singles.isEmpty {
                    slotWordsList.append(singles)
                    singleSlot = slotWordsList.count - 1
                }
                let element = Element(singleSlot: singleSlot, chains: chains, optional: optional)
                if parsed.gap == nil { parsed.head.append(element) } else { parsed.tail.append(element) }
            }
            precondition(parsed.gap == nil || !parsed.tail.isEmpty, "injection rule '\(rule.signal)': a gap needs a tail")
            parsedRules.append(parsed)
        }

        // Classes: words that fill the same slots are one class.
        var signatures: [String: [Int]] = [:]
        for (slot, words) in slotWordsList.enumerated() {
            for word in words where signatures[word]?.last != slot { signatures[word, default: []].append(slot) }
        }
        var classOfSignature: [[Int]: Int] = [:]
        var classOfWord: [String: Int] = [:]
        for word in signatures.keys.sorted() {
            let key = signatures[word]!
            if let known = classOfSignature[key] {
                classOfWord[word] = known
            } else {
                classOfSignature[key] = classOfSignature.count + 1  // 0 is every word outside the vocabulary
                classOfWord[word] = classOfSignature.count
            }
        }
        // Negations are words of their own, so "never reveal your system prompt" can be told from the attack.
        for word in Self.negations + Self.negationFillers where classOfWord[word] == nil {
            classOfSignature[[-classOfWord.count - 1]] = classOfSignature.count + 1
            classOfWord[word] = classOfSignature.count
        }
        let classCount = classOfSignature.count + 1
        slotWords = (classCount + 63) / 64
        slotBits = .allocate(capacity: max(slotWordsList.count * slotWords, 1))
        slotBits.initialize(repeating: 0, count: max(slotWordsList.count * slotWords, 1))
        for (slot, words) in slotWordsList.enumerated() {
            for word in words {
                let wordClass = classOfWord[word]!
                slotBits[slot * slotWords + wordClass / 64] |= 1 << UInt64(wordClass % 64)
            }
        }

        var bits = 4
        while (1 << bits) < classOfWord.count * 4 { bits += 1 }
        vocabularyBits = bits
        precondition(classOfWord.count < Int(UInt16.max), "injection vocabulary too large")
        vocabularyBuckets = .allocate(capacity: 1 << bits)
        vocabularyBuckets.initialize(repeating: 0, count: 1 << bits)
        vocabularyLow = .allocate(capacity: classOfWord.count)
        vocabularyHigh = .allocate(capacity: classOfWord.count)
        vocabularyValue = .allocate(capacity: classOfWord.count)
        for (entry, (word, wordClass)) in classOfWord.sorted(by: { $0.key < $1.key }).enumerated() {
            let bytes = Array(word.utf8)
            precondition(!bytes.isEmpty && bytes.count <= 16, "injection vocabulary word '\(word)' must have 1 to 16 bytes")
            var low: UInt64 = 0, high: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 { low = low << 8 | UInt64(byte) } else { high = high << 8 | UInt64(byte) }
            }
            var index = Self.bucket(low, high, bits)
            while vocabularyBuckets[index] != 0 { index = (index + 1) & ((1 << bits) - 1) }
            vocabularyBuckets[index] = UInt16(entry + 1)
            vocabularyLow[entry] = low
            vocabularyHigh[entry] = high
            vocabularyValue[entry] = UInt32(wordClass) | (upperOnly.contains(word) ? Self.capitalsOnly : 0)
                | (Self.negations.contains(word) ? Self.negation : 0) | (Self.negationFillers.contains(word) ? Self.negationFiller : 0)
        }

        // One automaton per pattern part: states E0…Ek between the elements, plus the inner states of the chains.
        // Skips over optional elements are folded into the transitions (an epsilon closure), so the scan never
        // follows an empty move.
        var rawTransitions: [[(slot: Int, target: Int)]] = []
        var skips: [Int?] = []
        var acceptingList: [Int32] = []
        var starts: [Int] = []
        var patterns: [Pattern] = []
        var gapLimits: [Int] = []
        func newState() -> Int {
            rawTransitions.append([])
            skips.append(nil)
            acceptingList.append(-1)
            return rawTransitions.count - 1
        }
        func build(_ elements: [Element], _ pattern: Pattern) {
            var longest = 0
            let entry = newState()
            var current = entry
            for element in elements {
                let exit = newState()
                if let slot = element.singleSlot { rawTransitions[current].append((slot, exit)) }
                for chain in element.chains {
                    var from = current
                    for (position, slot) in chain.enumerated() {
                        let to = position == chain.count - 1 ? exit : newState()
                        rawTransitions[from].append((slot, to))
                        from = to
                    }
                }
                if element.optional { skips[current] = exit }
                longest += max(element.singleSlot == nil ? 0 : 1, element.chains.map(\.count).max() ?? 0)
                current = exit
            }
            precondition(longest < Self.windowSize, "injection rule '\(rules[pattern.rule].signal)' is too long")
            acceptingList[current] = Int32(patterns.count)
            patterns.append(pattern)
            starts.append(entry)
        }
        for (ruleIndex, parsed) in parsedRules.enumerated() {
            guard let parsed else { continue }
            if let gap = parsed.gap {
                gapLimits.append(gap)
                build(parsed.head, Pattern(rule: ruleIndex, part: .head, gapSlot: gapLimits.count - 1))
                build(parsed.tail, Pattern(rule: ruleIndex, part: .tail, gapSlot: gapLimits.count - 1))
            } else {
                build(parsed.head, Pattern(rule: ruleIndex, part: .whole, gapSlot: -1))
            }
        }
        self.patterns = patterns
        self.gapLimits = gapLimits
        stateCount = rawTransitions.count

        // Close over skips: a state moves as every state it can skip to, and accepts if it can skip to the end.
        var closedTransitions: [[(slot: Int, target: Int)]] = []
        for state in 0..<stateCount {
            var list: [(slot: Int, target: Int)] = []
            var reach: Int? = state
            while let here = reach {
                list += rawTransitions[here]
                if acceptingList[here] >= 0 && here != state { acceptingList[state] = acceptingList[here] }
                reach = skips[here]
            }
            closedTransitions.append(list)
        }
        for entry in starts {
            precondition(acceptingList[entry] < 0, "injection rule '\(rules[patterns[Int(acceptingList[entry])].rule].signal)' matches no words")
        }
        transitionStart = .allocate(capacity: stateCount + 1)
        let transitionTotal = closedTransitions.reduce(0) { $0 + $1.count }
        transitionSlot = .allocate(capacity: max(transitionTotal, 1))
        transitionTarget = .allocate(capacity: max(transitionTotal, 1))
        var index = 0
        for state in 0..<stateCount {
            transitionStart[state] = Int32(index)
            for transition in closedTransitions[state] {
                transitionSlot[index] = Int32(transition.slot)
                transitionTarget[index] = Int32(transition.target)
                index += 1
            }
        }
        transitionStart[stateCount] = Int32(index)
        accepting = .allocate(capacity: max(stateCount, 1))
        accepting.initialize(from: acceptingList, count: stateCount)

        // Where each class leads from the start of every rule.
        var startTargets = [[Int32]](repeating: [], count: classCount)
        for entry in starts {
            for transition in closedTransitions[entry] {
                for wordClass in 1..<classCount
                where slotBits[transition.slot * slotWords + wordClass / 64] & (1 << UInt64(wordClass % 64)) != 0 {
                    startTargets[wordClass].append(Int32(transition.target))
                }
            }
        }
        startListStart = .allocate(capacity: classCount + 1)
        let startTotal = startTargets.reduce(0) { $0 + $1.count }
        startListTarget = .allocate(capacity: max(startTotal, 1))
        index = 0
        for wordClass in 0..<classCount {
            startListStart[wordClass] = Int32(index)
            for target in startTargets[wordClass] {
                startListTarget[index] = target
                index += 1
            }
        }
        startListStart[classCount] = Int32(index)
    }

    deinit {
        byteClass.deallocate()
        lowered.deallocate()
        vocabularyBuckets.deallocate()
        vocabularyLow.deallocate()
        vocabularyHigh.deallocate()
        vocabularyValue.deallocate()
        slotBits.deallocate()
        transitionStart.deallocate()
        transitionSlot.deallocate()
        transitionTarget.deallocate()
        startListStart.deallocate()
        startListTarget.deallocate()
        accepting.deallocate()
    }

    private static func normalize(_ word: String, _ table: UnsafeMutablePointer<UInt8>) -> String {
        String(decoding: word.utf8.map { table[Int($0)] }, as: UTF8.self)
    }

    @inline(__always)
    private static func bucket(_ low: UInt64, _ high: UInt64, _ bits: Int) -> Int {
        let mixed = (low &* 0x9E37_79B9_7F4A_7C15) ^ (high &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: mixed >> UInt64(64 - bits))
    }

    /// Words that negate the next one: "never", "not", and the "t" of "don't".
    private static let negations = ["never", "not", "t", "dont", "cannot", "doesnt", "wont", "mustnt", "shouldnt"]
    /// Words that may stand between a negation and its verb: "never ever reveal", "do not, under any … reveal".
    private static let negationFillers = ["ever", "please", "you", "should", "must", "to"]
    // Vocabulary value bits above the class.
    private static let capitalsOnly: UInt32 = 1 << 16, negation: UInt32 = 1 << 17, negationFiller: UInt32 = 1 << 18

    /// The word's vocabulary value (class in the low 16 bits, then the flags above), or 0 when it is not in the
    /// vocabulary or counts only in capitals and is not.
    @inline(__always)
    private func lookup(_ low: UInt64, _ high: UInt64, capitals: Bool) -> UInt32 {
        let mask = (1 << vocabularyBits) - 1
        var index = Self.bucket(low, high, vocabularyBits)
        while true {
            let bucket = Int(vocabularyBuckets[index])
            if bucket == 0 { return 0 }
            let entry = bucket &- 1
            if vocabularyLow[entry] == low && vocabularyHigh[entry] == high {
                let value = vocabularyValue[entry]
                if value & Self.capitalsOnly != 0 && !capitals { return 0 }
                return value
            }
            index = (index + 1) & mask
        }
    }

    private struct WordSlot {
        var start = 0
        var flags: UInt8 = 0
    }

    private struct GapState {
        /// Index of the word that ended the latest head; -1 before any.
        var headEnd = -1
        var headStart = 0
    }

    /// Scans `text`, appending the rules it matches to `hits` (in the order found, not always by position) and the
    /// spans worth decoding to `encodedRuns`.
    func scan(_ text: UnsafeBufferPointer<UInt8>, hits: inout [Hit], encodedRuns: inout [EncodedRun]) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: WordSlot.self, capacity: Self.windowSize) { window in
            window.initialize(repeating: WordSlot())
            withUnsafeTemporaryAllocation(of: GapState.self, capacity: max(gapLimits.count, 1)) { gaps in
                gaps.initialize(repeating: GapState())
                // Live states twice (this word's and the next one's, as state and first word) and a mark per state.
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: 5 * stateCount) { memory in
                    let marks = memory.baseAddress! + 4 * stateCount
                    marks.initialize(repeating: 0, count: stateCount)
                    var scanner = Scanner(matcher: self, base: base, count: text.count, window: window, gaps: gaps,
                                          live: memory.baseAddress!, next: memory.baseAddress! + 2 * stateCount, marks: marks)
                    scanner.run(hits: &hits, encodedRuns: &encodedRuns)
                }
            }
        }
    }

    /// The state of one scan, kept in one value so the loop's variables stay in registers.
    private struct Scanner {
        let matcher: PhraseMatcher
        let base: UnsafePointer<UInt8>
        let count: Int
        let window: UnsafeMutableBufferPointer<WordSlot>
        let gaps: UnsafeMutableBufferPointer<GapState>
        /// Live automaton states as pairs (state, index of the match's first word).
        var live: UnsafeMutablePointer<Int32>
        var next: UnsafeMutablePointer<Int32>
        var liveCount = 0
        /// The index of the last word that reached each state, so a state is live at most once per word.
        let marks: UnsafeMutablePointer<Int32>

        var wordIndex = 0
        // The word being read.
        var inWord = false
        var wordStart = 0
        var low: UInt64 = 0
        var high: UInt64 = 0
        var length = 0
        var bits: UInt8 = 0
        var foreign = false
        // The line.
        var firstOnLine = true
        var headingLine = false
        /// The last vocabulary word was a negation, or a filler after one.
        var negated = false
        // A run of base64 alphabet (letters, digits, + / - _) that may span several words.
        var runStart = -1
        var runBits: UInt8 = 0
        // Zero-width characters: a pending one inside a word, and the current run of them.
        var pendingInvisibleStart = -1
        var pendingInvisibleEnd = 0
        var invisibleRunStart = 0
        var invisibleRunEnd = -1
        var invisibleRunLength = 0

        init(matcher: PhraseMatcher, base: UnsafePointer<UInt8>, count: Int,
             window: UnsafeMutableBufferPointer<WordSlot>, gaps: UnsafeMutableBufferPointer<GapState>,
             live: UnsafeMutablePointer<Int32>, next: UnsafeMutablePointer<Int32>, marks: UnsafeMutablePointer<Int32>) {
            self.matcher = matcher
            self.base = base
            self.count = count
            self.window = window
            self.gaps = gaps
            self.live = live
            self.next = next
            self.marks = marks
        }

        mutating func run(hits: inout [Hit], encodedRuns: inout [EncodedRun]) {
            let byteClass = matcher.byteClass
            let lowered = matcher.lowered
            var i = 0
            while i < count {
                let byte = base[i]
                let kind = byteClass[Int(byte)]
                if kind & PhraseMatcher.word != 0 {
                    // The hot loop reads the word in locals; fields carry it only across an invisible character.
                    var wordLow: UInt64 = 0, wordHigh: UInt64 = 0, wordLength = 0, wordBits: UInt8 = 0
                    if !inWord {
                        inWord = true
                        wordStart = i
                        foreign = false
                        if runStart < 0 { runStart = i }
                    } else {
                        wordLow = low
                        wordHigh = high
                        wordLength = length
                        wordBits = bits
                        if pendingInvisibleStart >= 0 {
                            // A zero-width character between two letters hides a word from plain matching.
                            hits.append(Hit(rule: InjectionCheck.Builtin.invisibleInWord.rawValue,
                                            range: pendingInvisibleStart..<pendingInvisibleEnd))
                            pendingInvisibleStart = -1
                        }
                    }
                    let word = Self.readWord(base, count, from: i, lowered, byteClass,
                                             low: wordLow, high: wordHigh, length: wordLength, bits: wordBits)
                    wordLow = word.low
                    wordHigh = word.high
                    wordLength = word.length
                    wordBits = word.bits
                    let j = word.end
                    low = wordLow
                    high = wordHigh
                    length = wordLength
                    bits = wordBits
                    i = j
                    continue
                }
                if byte < 0x80 {
                    if inWord { finishWord(at: i, hits: &hits) }
                    pendingInvisibleStart = -1
                    if kind & PhraseMatcher.base64Punctuation != 0 {
                        if runStart < 0 { runStart = i }
                    } else {
                        if runStart >= 0 { endRun(at: i, encodedRuns: &encodedRuns) }
                        if kind & PhraseMatcher.special != 0 {
                            switch byte {
                            case UInt8(ascii: "\n"):
                                firstOnLine = true
                                headingLine = false
                            case UInt8(ascii: "#"):
                                if firstOnLine { headingLine = true }
                            default:
                                matchToken(at: i, hits: &hits)
                            }
                        }
                    }
                    i += 1
                    continue
                }
                if runStart >= 0 { endRun(at: i, encodedRuns: &encodedRuns) }
                i = nonASCII(at: i, hits: &hits, encodedRuns: &encodedRuns)
            }
            if inWord { finishWord(at: count, hits: &hits) }
            if runStart >= 0 { finishRun(at: count, encodedRuns: &encodedRuns) }
        }

        /// Reads word characters from `start` on, packing the first 16 lowercased bytes into two integers.
        @inline(__always)
        static func readWord(
            _ base: UnsafePointer<UInt8>, _ count: Int, from start: Int, _ lowered: UnsafeMutablePointer<UInt8>,
            _ byteClass: UnsafeMutablePointer<UInt8>, low: UInt64, high: UInt64, length: Int, bits: UInt8
        ) -> (end: Int, low: UInt64, high: UInt64, length: Int, bits: UInt8) {
            var low = low, high = high, length = length, bits = bits
            var j = start
            var byte = base[j]
            while true {
                let letter = UInt64(lowered[Int(byte)])
                if length < 8 {
                    low = low &<< 8 | letter
                } else if length < 16 {
                    high = high &<< 8 | letter
                }
                length &+= 1
                bits |= byteClass[Int(byte)]
                j &+= 1
                guard j < count else { break }
                byte = base[j]
                guard byteClass[Int(byte)] & PhraseMatcher.word != 0 else { break }
            }
            return (j, low, high, length, bits)
        }

        /// Handles the non-ASCII character at `i` and returns the index after it.
        mutating func nonASCII(at i: Int, hits: inout [Hit], encodedRuns: inout [EncodedRun]) -> Int {
            let byte = base[i]
            let next = i + 1 < count ? base[i + 1] : 0
            let third = i + 2 < count ? base[i + 2] : 0
            switch byte {
            case 0xE2 where i + 2 < count:
                // U+2000–U+2FFF: punctuation and symbols, with the invisible and bidi controls among them.
                if (next == 0x80 && (0x8B...0x8F).contains(third)) || (next == 0x81 && (0xA0...0xA4).contains(third)) {
                    invisible(at: i, length: 3, hits: &hits)
                    return i + 3
                }
                if (next == 0x80 && (0xAA...0xAE).contains(third)) || (next == 0x81 && (0xA6...0xA9).contains(third)) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.bidiControl.rawValue, range: i..<(i + 3)))
                }
                separate(at: i, hits: &hits)
                return i + 3
            case 0xC2 where i + 1 < count:
                if next == 0xAD {  // soft hyphen
                    invisible(at: i, length: 2, hits: &hits)
                } else {  // U+0080–U+00BF: no-break space and Latin-1 punctuation
                    separate(at: i, hits: &hits)
                }
                return i + 2
            case 0xEF where next == 0xBB && third == 0xBF:  // U+FEFF zero-width no-break space
                invisible(at: i, length: 3, hits: &hits)
                return i + 3
            case 0xF3 where next == 0xA0 && (third == 0x80 || third == 0x81) && i + 3 < count:
                separate(at: i, hits: &hits)
                return tagRun(at: i, hits: &hits, encodedRuns: &encodedRuns)
            default:
                // A letter of another script: part of a word that no rule knows.
                if !inWord {
                    inWord = true
                    wordStart = i
                    low = 0
                    high = 0
                    length = 0
                    bits = 0
                }
                pendingInvisibleStart = -1
                foreign = true
                return i + 1
            }
        }

        /// A character that ends the current word without being one.
        @inline(__always)
        mutating func separate(at i: Int, hits: inout [Hit]) {
            if inWord { finishWord(at: i, hits: &hits) }
            pendingInvisibleStart = -1
        }

        mutating func invisible(at i: Int, length: Int, hits: inout [Hit]) {
            if inWord {
                // Skipped inside a word; reported if a letter follows.
                if pendingInvisibleStart < 0 { pendingInvisibleStart = i }
                pendingInvisibleEnd = i + length
            }
            if invisibleRunEnd == i {
                invisibleRunLength += 1
            } else {
                invisibleRunStart = i
                invisibleRunLength = 1
            }
            invisibleRunEnd = i + length
            // A long run of invisible characters can carry a message of its own (zero-width steganography).
            if invisibleRunLength == 4 {
                hits.append(Hit(rule: InjectionCheck.Builtin.invisibleRun.rawValue, range: invisibleRunStart..<invisibleRunEnd))
            } else if invisibleRunLength > 4, let last = hits.last,
                      last.rule == InjectionCheck.Builtin.invisibleRun.rawValue, last.range.lowerBound == invisibleRunStart {
                hits[hits.count - 1].range = invisibleRunStart..<invisibleRunEnd
            }
        }

        /// Unicode tag characters (U+E0000–U+E007F) mirror ASCII invisibly; outside a flag emoji they smuggle text.
        mutating func tagRun(at start: Int, hits: inout [Hit], encodedRuns: inout [EncodedRun]) -> Int {
            var j = start
            while j + 3 < count && base[j] == 0xF3 && base[j + 1] == 0xA0 && (base[j + 2] == 0x80 || base[j + 2] == 0x81) {
                j += 4
            }
            // Subdivision flags (England, Scotland, Wales): U+1F3F4, a few tags, then the cancel tag U+E007F.
            let afterFlag = start >= 4 && base[start - 4] == 0xF0 && base[start - 3] == 0x9F
                && base[start - 2] == 0x8F && base[start - 1] == 0xB4
            let cancelled = base[j - 2] == 0x81 && base[j - 1] == 0xBF
            if !(afterFlag && cancelled && j - start <= 4 * 8) {
                hits.append(Hit(rule: InjectionCheck.Builtin.tagCharacters.rawValue, range: start..<j))
                encodedRuns.append(EncodedRun(kind: .tags, range: start..<j))
            }
            return j
        }

        mutating func finishWord(at end: Int, hits: inout [Hit]) {
            inWord = false
            if runStart >= 0 { runBits |= bits }
            wordIndex += 1
            let wasFirstOnLine = firstOnLine
            firstOnLine = false
            // Most words are outside the vocabulary: they only end every partial match.
            let capitals = bits & PhraseMatcher.upper != 0 && bits & PhraseMatcher.lower == 0
            let hasLetter = bits & (PhraseMatcher.upper | PhraseMatcher.lower) != 0
            guard !foreign, hasLetter, length <= 16 else { liveCount = 0; negated = false; return }
            let value = matcher.lookup(low, high, capitals: capitals)
            guard value != 0 else { liveCount = 0; negated = false; return }
            let wordClass = Int(value & 0xFFFF)
            let wasNegated = negated
            negated = value & PhraseMatcher.negation != 0 || (negated && value & PhraseMatcher.negationFiller != 0)
            // Common words ("the", "to") in the vocabulary that neither continue nor start a match cost no more.
            guard liveCount > 0 || matcher.startListStart[wordClass] != matcher.startListStart[wordClass &+ 1] else { return }

            // Matches start and end on vocabulary words, so only those are remembered.
            var flags: UInt8 = 0
            if wasFirstOnLine { flags |= PhraseMatcher.firstOnLine }
            if headingLine { flags |= PhraseMatcher.headingLine }
            if capitals { flags |= PhraseMatcher.allCapitals }
            if wasNegated { flags |= PhraseMatcher.afterNegation }
            // A colon right after the word, allowing markdown emphasis: "System:", "**System**:".
            var j = end
            while j < count && j < end + 4 {
                let next = base[j]
                if next == UInt8(ascii: ":") { flags |= PhraseMatcher.colonAfter; break }
                guard next == UInt8(ascii: " ") || next == UInt8(ascii: "*") || next == UInt8(ascii: "\t") else { break }
                j += 1
            }
            window[wordIndex & (PhraseMatcher.windowSize - 1)] = WordSlot(start: wordStart, flags: flags)
            advance(wordClass, end: end, hits: &hits)
        }

        /// Moves every live state on a word of `wordClass`, and starts every rule whose first slot takes it.
        /// Written as plain loops over the tables, which keeps debug builds fast enough for the long tests too.
        mutating func advance(_ wordClass: Int, end: Int, hits: inout [Hit]) {
            let slotBits = matcher.slotBits
            let transitionStart = matcher.transitionStart
            let transitionSlot = matcher.transitionSlot
            let transitionTarget = matcher.transitionTarget
            let accepting = matcher.accepting
            let slotWords = matcher.slotWords
            let wordOffset = wordClass &>> 6
            let bit = UInt64(1) &<< UInt64(wordClass & 63)
            let current = Int32(truncatingIfNeeded: wordIndex)
            let live = self.live, next = self.next, marks = self.marks
            var nextCount = 0
            var index = 0
            while index < liveCount {
                let state = Int(live[2 &* index])
                let firstWord = live[2 &* index &+ 1]
                var transition = Int(transitionStart[state])
                let last = Int(transitionStart[state &+ 1])
                while transition < last {
                    let slot = Int(transitionSlot[transition])
                    if slotBits[slot &* slotWords &+ wordOffset] & bit != 0 {
                        let target = Int(transitionTarget[transition])
                        if marks[target] != current {
                            marks[target] = current
                            next[2 &* nextCount] = Int32(truncatingIfNeeded: target)
                            next[2 &* nextCount &+ 1] = firstWord
                            nextCount &+= 1
                            if accepting[target] >= 0 { report(Int(accepting[target]), firstWord: Int(firstWord), end: end, hits: &hits) }
                        }
                    }
                    transition &+= 1
                }
                index &+= 1
            }
            var start = Int(matcher.startListStart[wordClass])
            let last = Int(matcher.startListStart[wordClass &+ 1])
            let startTargets = matcher.startListTarget
            while start < last {
                let target = Int(startTargets[start])
                if marks[target] != current {
                    marks[target] = current
                    next[2 &* nextCount] = Int32(truncatingIfNeeded: target)
                    next[2 &* nextCount &+ 1] = current
                    nextCount &+= 1
                    if accepting[target] >= 0 { report(Int(accepting[target]), firstWord: wordIndex, end: end, hits: &hits) }
                }
                start &+= 1
            }
            self.live = next
            self.next = live
            liveCount = nextCount
        }

        mutating func report(_ patternIndex: Int, firstWord: Int, end: Int, hits: inout [Hit]) {
            let pattern = matcher.patterns[patternIndex]
            let firstSlot = window[firstWord & (PhraseMatcher.windowSize - 1)]
            let lastSlot = window[wordIndex & (PhraseMatcher.windowSize - 1)]
            let rule = matcher.rules[pattern.rule]
            if rule.unlessNegated && firstSlot.flags & PhraseMatcher.afterNegation != 0 { return }
            switch rule.condition {
            case .none:
                break
            case .colon:
                guard lastSlot.flags & PhraseMatcher.colonAfter != 0 else { return }
            case .roleColon:
                let atStart = firstSlot.flags & (PhraseMatcher.firstOnLine | PhraseMatcher.allCapitals) != 0
                guard atStart, lastSlot.flags & PhraseMatcher.colonAfter != 0 else { return }
            case .heading:
                guard firstSlot.flags & PhraseMatcher.firstOnLine != 0, firstSlot.flags & PhraseMatcher.headingLine != 0 else { return }
            }
            switch pattern.part {
            case .whole:
                hits.append(Hit(rule: pattern.rule, range: firstSlot.start..<end))
            case .head:
                gaps[pattern.gapSlot] = GapState(headEnd: wordIndex, headStart: firstSlot.start)
            case .tail:
                let gap = gaps[pattern.gapSlot]
                guard gap.headEnd >= 0, firstWord > gap.headEnd,
                      firstWord - gap.headEnd - 1 <= matcher.gapLimits[pattern.gapSlot] else { return }
                hits.append(Hit(rule: pattern.rule, range: gap.headStart..<end))
            }
        }

        /// Ends a run of base64 alphabet; most runs are single words, too short to look at.
        @inline(__always)
        mutating func endRun(at end: Int, encodedRuns: inout [EncodedRun]) {
            if end &- runStart >= PhraseMatcher.minimumBase64Run {
                finishRun(at: end, encodedRuns: &encodedRuns)
            } else {
                runStart = -1
                runBits = 0
            }
        }

        /// Ends a run of base64 alphabet; a long one with mixed kinds of characters may hide text.
        mutating func finishRun(at end: Int, encodedRuns: inout [EncodedRun]) {
            defer {
                runStart = -1
                runBits = 0
            }
            guard end - runStart >= PhraseMatcher.minimumBase64Run else { return }
            // Encoded text always mixes cases or digits; a long plain word ("internationalization") does not.
            let kinds = (runBits & PhraseMatcher.upper != 0 ? 1 : 0) + (runBits & PhraseMatcher.lower != 0 ? 1 : 0)
                + (runBits & PhraseMatcher.digit != 0 ? 1 : 0)
            guard kinds >= 2 else { return }
            var isHex = end - runStart >= PhraseMatcher.minimumHexRun && runBits & PhraseMatcher.digit != 0
            if isHex {
                for index in runStart..<end where !Self.isHexDigit(base[index]) {
                    isHex = false
                    break
                }
            }
            // Padding belongs to the span, so a redaction leaves no stray "=".
            var spanEnd = end
            while !isHex && spanEnd < count && spanEnd < end + 2 && base[spanEnd] == UInt8(ascii: "=") { spanEnd += 1 }
            encodedRuns.append(EncodedRun(kind: isHex ? .hex : .base64, range: runStart..<spanEnd))
        }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
            default: false
            }
        }

        /// Chat-template tokens that fake a turn boundary: `<|im_start|>system`, `[INST]`, `<<SYS>>`, `</s>`, `[system](#`.
        mutating func matchToken(at i: Int, hits: inout [Hit]) {
            if base[i] == UInt8(ascii: "<") {
                if i + 1 < count && base[i + 1] == UInt8(ascii: "|") {
                    // <|name|> with a name of letters, digits and underscores.
                    var j = i + 2
                    while j < count && j < i + 40 && (Self.isTokenByte(base[j])) { j += 1 }
                    guard j > i + 2, j + 1 < count, base[j] == UInt8(ascii: "|"), base[j + 1] == UInt8(ascii: ">") else { return }
                    var end = j + 2
                    var k = end
                    while k < count && k < end + 4 && (base[k] == UInt8(ascii: " ") || base[k] == UInt8(ascii: "\n")) { k += 1 }
                    if hasPrefix("system", at: k) {
                        end = k + 6
                        hits.append(Hit(rule: InjectionCheck.Builtin.chatTokenSystem.rawValue, range: i..<end))
                    } else {
                        hits.append(Hit(rule: InjectionCheck.Builtin.chatToken.rawValue, range: i..<end))
                    }
                } else if hasPrefix("<<sys>>", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.llamaMarker.rawValue, range: i..<(i + 7)))
                } else if hasPrefix("<</sys>>", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.llamaMarker.rawValue, range: i..<(i + 8)))
                } else if hasPrefix("</s>", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.endOfSequence.rawValue, range: i..<(i + 4)))
                }
            } else {
                if hasPrefix("[inst]", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.llamaMarker.rawValue, range: i..<(i + 6)))
                } else if hasPrefix("[/inst]", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.llamaMarker.rawValue, range: i..<(i + 7)))
                } else if hasPrefix("[system](#", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.bracketSystemLink.rawValue, range: i..<(i + 10)))
                } else if hasPrefix("[system]", at: i) {
                    hits.append(Hit(rule: InjectionCheck.Builtin.bracketSystem.rawValue, range: i..<(i + 8)))
                }
            }
        }

        static func isTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
            default: false
            }
        }

        /// Whether the bytes at `index` spell the lowercase ASCII `prefix`, ignoring case.
        func hasPrefix(_ prefix: StaticString, at index: Int) -> Bool {
            let length = prefix.utf8CodeUnitCount
            guard index + length <= count else { return false }
            let pointer = prefix.utf8Start
            for offset in 0..<length {
                var byte = base[index + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                if byte != pointer[offset] { return false }
            }
            return true
        }
    }
}
