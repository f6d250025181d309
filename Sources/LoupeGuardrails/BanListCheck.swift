/// Flags banned words and phrases (`ban_list` in config) as whole words, whatever their case.
///
/// Options:
/// - `words`: the words and phrases to flag (required, at least one);
/// - `category`: the findings' category (default `banned_word`);
/// - `mask`: what redaction writes over a hit (default `[BANNED]`).
///
/// How text matches:
/// - Case is ignored: ASCII, and simple Unicode lowercasing, so `Émeute` matches `émeute`. Text is not
///   normalized, so a decomposed `e` + combining accent does not match a precomposed `é`.
/// - Whole words only: a word that begins with a letter, digit or `_` must not follow one, and one that
///   ends with one must not precede one. Non-ASCII letters, digits and combining marks count, so `ass`
///   fires in `ass!` and `ass.` but not in `class`, `assistant` or `assé`. An edge that is punctuation
///   (`@everyone`, `c++`) needs no boundary there.
/// - A space in a phrase matches any run of whitespace, newlines and non-breaking spaces included, so
///   `bad word` matches `Bad \n word`; other separators (`bad-word`) do not match.
/// - A straight apostrophe in a word also matches the curly ones (`don't`, `don’t`).
/// - Where hits overlap, the leftmost wins, then the longest.
///
/// All words go into one Aho–Corasick automaton, so a text is scanned once, in time linear in its
/// length whatever the list holds.
public struct BanListCheck: GuardrailCheck {
    /// `ban_list`.
    public let name = "ban_list"
    /// The category of every finding.
    public let category: String
    private let maskText: String
    private let automaton: Automaton

    /// Reads `words`, `category` and `mask`; throws when `words` is missing or holds an empty word.
    public init(options: GuardrailOptions = GuardrailOptions()) throws(GuardrailOptionError) {
        try options.allowOnly(["words", "category", "mask"])
        guard let words = try options.strings("words"), !words.isEmpty else {
            throw GuardrailOptionError(key: "words", message: "expected at least one word or phrase")
        }
        category = try options.string("category") ?? "banned_word"
        guard !category.isEmpty else { throw GuardrailOptionError(key: "category", message: "expected a non-empty category") }
        maskText = try options.string("mask") ?? "[BANNED]"
        automaton = try Automaton(words: words)
    }

    /// The `mask` option, whatever the category.
    public func mask(for category: String) -> String {
        maskText
    }

    /// Each banned word or phrase found, in order, without overlaps.
    public func findings(in text: UnsafeBufferPointer<UInt8>) -> [GuardrailFinding] {
        automaton.scan(text).map { GuardrailFinding(category: category, range: $0) }
    }
}

extension BanListCheck {
    /// The banned words compiled to a DFA over symbols: each ASCII byte lowercased, each run of
    /// whitespace as one space, each non-ASCII character that some word uses as its lowercase form,
    /// and anything else as "other", which no word contains.
    private struct Automaton: Sendable {
        struct Word: Sendable {
            /// Length in symbols.
            var length: Int
            var needsBoundaryBefore: Bool
            var needsBoundaryAfter: Bool
        }

        private let words: [Word]
        private let classCount: Int
        /// `state * classCount + class`: the next state times `classCount`, or `-(that) - 1` when the
        /// next state ends a word, so the hot loop tests one sign. Class 0 is "other".
        private let table: [Int32]
        /// The word a state spells, or -1.
        private let wordAt: [Int32]
        /// The longest proper suffix state that spells a word, or -1: the other words ending here.
        private let outputLink: [Int32]
        /// Raw bytes to classes; `whitespace` and `nonASCII` mark the bytes that need more work.
        private let rawClass: [UInt16]
        private let spaceClass: UInt16
        /// What each raw byte does to the start state, for skipping text without touching the table.
        private let atStart: [StartKind]
        /// Non-ASCII characters that words use, in every case form, to their class.
        private let fold: ScalarFold
        /// Whether non-ASCII text must be decoded: some word uses a non-ASCII character, or a phrase
        /// has a space that a non-breaking space should match.
        private let decodesNonASCII: Bool
        /// Symbol positions remembered to find where a hit starts: a power of two, at least the longest word.
        private let ringSize: Int

        enum StartKind: UInt8 {
            /// Leaves the start state where it is and is not an ASCII word character: skipped.
            case stays
            /// Leaves the start state where it is and is an ASCII word character: skipped.
            case staysInWord
            /// Begins some word: skipped only inside a word, when every word needs a boundary before it.
            case beginsWord
            /// Must go through the automaton.
            case feeds
        }

        private static let whitespace: UInt16 = 0xFFFE
        private static let nonASCII: UInt16 = 0xFFFF
        /// Keeps the table, `states × classes` entries, within 64 MB.
        private static let maxTableSize = 16 << 20

        init(words texts: [String]) throws(GuardrailOptionError) {
            var spelled: [[UInt32]] = []
            var words: [Word] = []
            var hasPhrase = false
            for (index, text) in texts.enumerated() {
                var scalars: [UInt32] = []
                var pendingSpace = false
                for scalar in text.unicodeScalars {
                    if Self.isWhitespace(scalar.value) {
                        pendingSpace = !scalars.isEmpty
                        continue
                    }
                    if pendingSpace {
                        scalars.append(0x20)
                        hasPhrase = true
                        pendingSpace = false
                    }
                    scalars.append(Self.lowercase(scalar).value)
                }
                guard !scalars.isEmpty else {
                    throw GuardrailOptionError(key: "words", message: "word \(index + 1) is empty")
                }
                spelled.append(scalars)
                words.append(Word(
                    length: scalars.count,
                    needsBoundaryBefore: Self.isWordCharacter(scalars.first!),
                    needsBoundaryAfter: Self.isWordCharacter(scalars.last!)))
            }
            self.words = words
            var ringSize = 1
            while ringSize < words.map(\.length).max()! { ringSize *= 2 }
            self.ringSize = ringSize

            // Classes: one per character some word uses, plus class 0 for all others.
            var classOf: [UInt32: UInt16] = [:]
            for scalar in Set(spelled.joined()).sorted() { classOf[scalar] = UInt16(classOf.count + 1) }
            let classCount = classOf.count + 1
            self.classCount = classCount
            spaceClass = classOf[0x20] ?? 0

            // Text characters to classes: every case form of the non-ASCII ones, and curly apostrophes.
            var fold: [UInt32: UInt16] = [:]
            for (scalar, byteClass) in classOf where scalar >= 0x80 {
                for range in LinearRegex.ScalarSet(scalar: Unicode.Scalar(scalar)!).caseFolded().ranges {
                    for value in range where value >= 0x80 { fold[value] = byteClass }
                }
            }
            if let apostrophe = classOf[0x27] {
                for value: UInt32 in [0x2018, 0x2019, 0x02BC] { fold[value] = apostrophe }
            }
            self.fold = ScalarFold(fold)
            decodesNonASCII = !fold.isEmpty || hasPhrase

            // The trie, then failure links breadth-first, filling in every missing transition.
            var table = [Int32](repeating: -1, count: classCount)
            var wordAt: [Int32] = [-1]
            for (index, scalars) in spelled.enumerated() {
                var state = 0
                for scalar in scalars {
                    let slot = state * classCount + Int(classOf[scalar]!)
                    if table[slot] < 0 {
                        guard table.count + classCount <= Self.maxTableSize else {
                            throw GuardrailOptionError(key: "words", message: "too many words: their automaton would pass \(Self.maxTableSize) entries")
                        }
                        table[slot] = Int32(wordAt.count)
                        wordAt.append(-1)
                        table += [Int32](repeating: -1, count: classCount)
                    }
                    state = Int(table[slot])
                }
                // A repeated word keeps its first index; both spell the same thing.
                if wordAt[state] < 0 { wordAt[state] = Int32(index) }
            }
            var failure = [Int32](repeating: 0, count: wordAt.count)
            var outputLink = [Int32](repeating: -1, count: wordAt.count)
            var queue: [Int] = []
            for byteClass in 0..<classCount {
                if table[byteClass] < 0 {
                    table[byteClass] = 0
                } else {
                    queue.append(Int(table[byteClass]))
                }
            }
            var head = 0
            while head < queue.count {
                let state = queue[head]
                head += 1
                let fallback = Int(failure[state])
                for byteClass in 0..<classCount {
                    let slot = state * classCount + byteClass
                    let viaFailure = table[fallback * classCount + byteClass]
                    if table[slot] < 0 {
                        table[slot] = viaFailure
                    } else {
                        let child = Int(table[slot])
                        failure[child] = viaFailure
                        outputLink[child] = wordAt[Int(viaFailure)] >= 0 ? viaFailure : outputLink[Int(viaFailure)]
                        queue.append(child)
                    }
                }
            }
            for slot in table.indices {
                let target = Int(table[slot])
                let scaled = Int32(target * classCount)
                table[slot] = wordAt[target] >= 0 || outputLink[target] >= 0 ? -scaled - 1 : scaled
            }
            self.table = table
            self.wordAt = wordAt
            self.outputLink = outputLink

            var rawClass = [UInt16](repeating: Self.nonASCII, count: 256)
            // Without words that use non-ASCII characters, those only end partial matches, so at the
            // start state they are skipped; they may be letters, so they do not count as inside a word.
            var atStart = [StartKind](repeating: fold.isEmpty ? .stays : .feeds, count: 256)
            // When every word needs a boundary before it, no hit starts inside a word: at the start
            // state the rest of a word is skipped, whatever letters it has.
            let skipsInsideWords = words.allSatisfy(\.needsBoundaryBefore)
            for byte in UInt8(0)..<0x80 {
                let isSpace = Self.isWhitespace(UInt32(byte))
                let byteClass = isSpace ? spaceClass : classOf[UInt32(Self.lowercase(byte))] ?? 0
                rawClass[Int(byte)] = isSpace ? Self.whitespace : byteClass
                let isWord = LinearRegex.isWordByte(byte)
                if table[Int(byteClass)] == 0 {
                    atStart[Int(byte)] = isWord ? .staysInWord : .stays
                } else {
                    atStart[Int(byte)] = isWord && skipsInsideWords ? .beginsWord : .feeds
                }
            }
            self.rawClass = rawClass
            self.atStart = atStart
        }

        /// The hits in `text`, leftmost then longest first, without overlaps.
        func scan(_ text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
            var hits: [Range<Int>] = []
            withUnsafeTemporaryAllocation(of: Int.self, capacity: ringSize) { ring in
                table.withUnsafeBufferPointer { table in
                    rawClass.withUnsafeBufferPointer { rawClass in
                        atStart.withUnsafeBufferPointer { atStart in
                            scan(text, table: table, rawClass: rawClass, atStart: atStart, ring: ring, hits: &hits)
                        }
                    }
                }
            }
            return hits
        }

        @inline(__always)
        private func scan(
            _ text: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<Int32>, rawClass: UnsafeBufferPointer<UInt16>,
            atStart: UnsafeBufferPointer<StartKind>, ring: UnsafeMutableBufferPointer<Int>, hits: inout [Range<Int>]
        ) {
            let mask = ringSize - 1
            let end = text.count
            var state: Int32 = 0
            var fed = 0
            var inWhitespace = false
            var position = 0

            /// Feeds one symbol, the character at `start..<stop` in the text.
            @inline(__always)
            func feed(_ symbolClass: UInt16, start: Int, stop: Int) {
                ring[fed & mask] = start
                fed &+= 1
                let successor = table[Int(state) &+ Int(symbolClass)]
                if successor >= 0 {
                    state = successor
                } else {
                    state = -successor - 1
                    reportHits(at: Int(state) / classCount, end: stop, fed: fed, ring: ring, text, into: &hits)
                }
            }

            while position < end {
                if state == 0 {
                    // Nothing is under way: skip the bytes that cannot start a hit.
                    var inWord = position > 0 && LinearRegex.isWordByte(text[position - 1])
                    let skipStart = position
                    skipping: while position < end {
                        switch atStart[Int(text[position])] {
                        case .stays: inWord = false
                        case .staysInWord: inWord = true
                        case .beginsWord where inWord: break
                        case .beginsWord, .feeds: break skipping
                        }
                        position &+= 1
                    }
                    if position > skipStart { inWhitespace = false }
                    if position == end { break }
                }
                let symbolClass = rawClass[Int(text[position])]
                if symbolClass < Self.whitespace {
                    inWhitespace = false
                    feed(symbolClass, start: position, stop: position + 1)
                    position &+= 1
                    continue
                }
                if symbolClass == Self.whitespace {
                    position &+= 1
                    if inWhitespace { continue }
                    inWhitespace = true
                    feed(spaceClass, start: position - 1, stop: position)
                    continue
                }
                guard decodesNonASCII, let (value, length) = Self.decode(text, at: position) else {
                    inWhitespace = false
                    feed(0, start: position, stop: position + 1)
                    position &+= 1
                    continue
                }
                let start = position
                position &+= length
                if Self.isWhitespace(value) {
                    if inWhitespace { continue }
                    inWhitespace = true
                    feed(spaceClass, start: start, stop: position)
                } else {
                    inWhitespace = false
                    feed(fold.lookup(value) ?? 0, start: start, stop: position)
                }
            }
        }

        /// Checks the words ending at `stateIndex`, longest first, and keeps the first that stands
        /// as a whole word and does not overlap an earlier hit.
        private func reportHits(
            at stateIndex: Int, end: Int, fed: Int, ring: UnsafeMutableBufferPointer<Int>,
            _ text: UnsafeBufferPointer<UInt8>, into hits: inout [Range<Int>]
        ) {
            var state = wordAt[stateIndex] >= 0 ? Int32(stateIndex) : outputLink[stateIndex]
            var wordAfter: Bool?
            while state >= 0 {
                let word = words[Int(wordAt[Int(state)])]
                state = outputLink[Int(state)]
                if word.needsBoundaryAfter {
                    // The words ending here all end in the same character, so this holds for all.
                    if wordAfter == nil { wordAfter = Self.decode(text, at: end).map { Self.isWordCharacter($0.value) } ?? false }
                    if wordAfter! { return }
                }
                let start = ring[(fed - word.length) & (ringSize - 1)]
                if word.needsBoundaryBefore, let before = Self.scalarBefore(start, in: text), Self.isWordCharacter(before) { continue }
                // Leftmost, then longest: a hit gives way to an earlier one it overlaps, though a
                // shorter word ending here may still fit after that one; it replaces the hits it
                // starts before or with.
                if let last = hits.last, start < last.upperBound, start > last.lowerBound { continue }
                while let last = hits.last, start < last.upperBound { hits.removeLast() }
                hits.append(start..<end)
                return
            }
        }

        // MARK: - Characters

        private static func lowercase(_ byte: UInt8) -> UInt8 {
            byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        }

        /// Simple lowercase, when it is one scalar; curly apostrophes become straight ones.
        private static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            if scalar.isASCII { return Unicode.Scalar(lowercase(UInt8(scalar.value))) }
            if [0x2018, 0x2019, 0x02BC].contains(scalar.value) { return "'" }
            var lowered = scalar.properties.lowercaseMapping.unicodeScalars.makeIterator()
            guard let first = lowered.next(), lowered.next() == nil else { return scalar }
            return first
        }

        /// Unicode whitespace: ASCII's six, next line, no-break and the typographic spaces.
        private static func isWhitespace(_ value: UInt32) -> Bool {
            switch value {
            case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }

        /// Letters, digits, `_` and combining marks, in any script.
        private static func isWordCharacter(_ value: UInt32) -> Bool {
            if value < 0x80 { return LinearRegex.isWordByte(UInt8(value)) }
            guard let scalar = Unicode.Scalar(value) else { return false }
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil { return true }
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation: return true
            default: return false
            }
        }

        /// The scalar starting at `offset` and its length in bytes; nil at the end or on invalid UTF-8.
        private static func decode(_ text: UnsafeBufferPointer<UInt8>, at offset: Int) -> (value: UInt32, length: Int)? {
            guard offset < text.count else { return nil }
            let lead = text[offset]
            let length: Int
            var value: UInt32
            switch lead {
            case 0x00..<0x80: return (UInt32(lead), 1)
            case 0xC2..<0xE0: length = 2; value = UInt32(lead & 0x1F)
            case 0xE0..<0xF0: length = 3; value = UInt32(lead & 0x0F)
            case 0xF0..<0xF5: length = 4; value = UInt32(lead & 0x07)
            default: return nil
            }
            guard offset + length <= text.count else { return nil }
            for index in (offset + 1)..<(offset + length) {
                let byte = text[index]
                guard byte & 0xC0 == 0x80 else { return nil }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            return (value, length)
        }

        /// The scalar that ends just before `offset`, or nil at the start.
        private static func scalarBefore(_ offset: Int, in text: UnsafeBufferPointer<UInt8>) -> UInt32? {
            guard offset > 0 else { return nil }
            var start = offset - 1
            while start > 0, offset - start < 4, text[start] & 0xC0 == 0x80 { start -= 1 }
            return decode(text, at: start)?.value ?? UInt32(text[offset - 1])
        }
    }

    /// A small open-addressing hash table from scalar values to classes, several times faster than
    /// `Dictionary` on the scan's path.
    private struct ScalarFold: Sendable {
        /// 0 marks an empty slot; every key is at least 0x80.
        private let keys: [UInt32]
        private let values: [UInt16]
        private let shift: UInt32

        init(_ entries: [UInt32: UInt16]) {
            var bits: UInt32 = 4
            while (1 << bits) < entries.count * 2 { bits += 1 }
            var keys = [UInt32](repeating: 0, count: 1 << bits)
            var values = [UInt16](repeating: 0, count: 1 << bits)
            for (key, value) in entries {
                var slot = Int((key &* 0x9E37_79B1) >> (32 - bits))
                while keys[slot] != 0 { slot = (slot + 1) & (keys.count - 1) }
                keys[slot] = key
                values[slot] = value
            }
            self.keys = keys
            self.values = values
            shift = 32 - bits
        }

        @inline(__always)
        func lookup(_ key: UInt32) -> UInt16? {
            keys.withUnsafeBufferPointer { keys in
                var slot = Int((key &* 0x9E37_79B1) >> shift)
                while true {
                    let found = keys[slot]
                    if found == key { return values[slot] }
                    if found == 0 { return nil }
                    slot = (slot + 1) & (keys.count - 1)
                }
            }
        }
    }
}
