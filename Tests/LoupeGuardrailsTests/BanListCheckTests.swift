import Foundation
import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct BanListCheckTests {
    private func check(_ words: String..., category: String? = nil, mask: String? = nil) throws -> BanListCheck {
        var options: [String: JSONValue] = ["words": .array(words.map { .string($0) })]
        if let category { options["category"] = .string(category) }
        if let mask { options["mask"] = .string(mask) }
        return try BanListCheck(options: GuardrailOptions(options))
    }

    /// The flagged substrings.
    private func flagged(_ check: BanListCheck, _ text: String) throws -> [String] {
        try check.findings(in: text).map { finding in
            let range = try #require(finding.range)
            return String(decoding: Array(text.utf8)[range], as: UTF8.self)
        }
    }

    @Test func findsWordsWhateverTheirCase() throws {
        let check = try check("darn", "Heck")
        #expect(try flagged(check, "Darn it, DARN! What the heck.") == ["Darn", "DARN", "heck"])
        let findings = try check.findings(in: "oh darn")
        #expect(findings == [GuardrailFinding(category: "banned_word", range: 3..<7)])
        #expect(check.mask(for: "banned_word") == "[BANNED]")
        #expect(check.name == "ban_list")
        #expect(check.canRedact)
    }

    @Test func onlyWholeWords() throws {
        let check = try check("ass")
        for text in ["class", "assistant", "bass", "passage", "ass_hat", "assé", "éass", "ass\u{301}", "ass2", "9ass"] {
            #expect(try check.findings(in: text).isEmpty, "\(text)")
        }
        for text in ["ass", "ass!", "(ass)", "an ass.", "ass\nnext", "'ass'", "ass😀", "«ass»", "ass-hat", "ASS?"] {
            #expect(try flagged(check, text).count == 1, "\(text)")
        }
        #expect(try flagged(check, "ass, class, ass") == ["ass", "ass"])
    }

    @Test func boundariesAtPunctuationEdgesAndDigits() throws {
        // A word that starts or ends with punctuation needs no boundary on that side.
        let check = try check("@everyone", "c++", "666")
        #expect(try flagged(check, "hey@everyone now") == ["@everyone"])
        #expect(try check.findings(in: "@everyones").isEmpty)
        #expect(try flagged(check, "I like c++.") == ["c++"])
        #expect(try check.findings(in: "abc++").isEmpty)
        #expect(try flagged(check, "666 and 1666 and 6666 and x666") == ["666"])
    }

    @Test func nonASCIIWords() throws {
        let check = try check("émeute", "Straße", "дурак")
        #expect(try flagged(check, "Une ÉMEUTE, une Émeute, des émeutes") == ["ÉMEUTE", "Émeute"])
        #expect(try flagged(check, "die STRAẞE und die straße") == ["STRAẞE", "straße"])
        #expect(try flagged(check, "ты ДУРАК, дураки") == ["ДУРАК"])
        // Byte offsets count UTF-8 bytes.
        #expect(try check.findings(in: "é émeute").map(\.range) == [3..<10])
    }

    @Test func phrasesMatchAnyRunOfWhitespace() throws {
        let check = try check("  bad   word ")
        #expect(try flagged(check, "a Bad  word here") == ["Bad  word"])
        #expect(try flagged(check, "bad\n\tword") == ["bad\n\tword"])
        #expect(try flagged(check, "bad\u{A0}word") == ["bad\u{A0}word"])
        for text in ["badword", "bad-word", "bad words", "notbad word", "bad, word"] {
            #expect(try check.findings(in: text).isEmpty, "\(text)")
        }
    }

    @Test func apostrophesMatchTheirCurlyForms() throws {
        let check = try check("don't")
        #expect(try flagged(check, "Don’t and DON'T") == ["Don’t", "DON'T"])
    }

    @Test func overlapsGoToTheLeftmostThenLongest() throws {
        let cities = try check("york city", "new york", "new york city", "city")
        #expect(try flagged(cities, "in new york city today") == ["new york city"])
        #expect(try flagged(cities, "in york city, a city") == ["york city", "city"])
        let pairs = try check("ab cd", "cd ef")
        #expect(try flagged(pairs, "ab cd ef") == ["ab cd"])
        #expect(try flagged(pairs, "xx cd ef") == ["cd ef"])
        let nested = try check("foo", "foo bar", "bar")
        #expect(try flagged(nested, "foo bar bar foo") == ["foo bar", "bar", "foo"])
        // A longer word overlapping the previous hit leaves a shorter one that fits after it.
        let chain = try check("a b", "b b", "b")
        #expect(try flagged(chain, "a b b") == ["a b", "b"])
        // A longer word that fails its boundary leaves the shorter one.
        let prefix = try check("un", "un deux")
        #expect(try flagged(prefix, "un deuxième") == ["un"])
    }

    @Test func categoryAndMaskOptions() throws {
        let check = try check("foo", category: "profanity", mask: "***")
        #expect(try check.findings(in: "foo").map(\.category) == ["profanity"])
        #expect(check.mask(for: "profanity") == "***")
    }

    @Test func optionErrors() {
        #expect(throws: GuardrailOptionError(key: "words", message: "expected at least one word or phrase")) { try BanListCheck() }
        #expect(throws: GuardrailOptionError(key: "words", message: "expected at least one word or phrase")) { try check() }
        #expect(throws: GuardrailOptionError(key: "words", message: "word 2 is empty")) { try check("ok", "  ") }
        #expect(throws: GuardrailOptionError(key: "list", message: "unknown option; expected one of: words, category, mask")) {
            try BanListCheck(options: GuardrailOptions(["list": .string("x")]))
        }
        #expect(throws: GuardrailOptionError(key: "category", message: "expected a non-empty category")) { try check("x", category: "") }
    }

    @Test func oneStringCountsAsAListOfOne() throws {
        let check = try BanListCheck(options: GuardrailOptions(["words": .string("solo")]))
        #expect(try flagged(check, "Solo!") == ["Solo"])
    }

    // MARK: - Agreement with a naive reference

    /// Random word lists and texts over a small alphabet (with case, accents, whitespace runs and
    /// punctuation), checked against a matcher that tries every word at every position.
    @Test func agreesWithANaiveReference() throws {
        var generator = SplitMix64(seed: 0xBA11)
        let wordAlphabet = Array("abé")
        let textAlphabet = Array("aAbBéÉ  \n\u{A0}.-_")
        for round in 0..<3000 {
            let words = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                String((0..<Int.random(in: 1...4, using: &generator)).map { _ in
                    Bool.random(using: &generator) && Bool.random(using: &generator) ? " " : wordAlphabet.randomElement(using: &generator)!
                }).trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            guard !words.isEmpty else { continue }
            let text = String((0..<Int.random(in: 0...16, using: &generator)).map { _ in textAlphabet.randomElement(using: &generator)! })
            let check = try BanListCheck(options: GuardrailOptions(["words": .array(words.map { .string($0) })]))
            let actual = try check.findings(in: text).compactMap(\.range)
            #expect(actual == ReferenceBanList(words: words).hits(in: text), "round \(round): \(words) in \(text.debugDescription)")
        }
    }

    // MARK: - Linear time

    static let megabyte = 1 << 20

    /// Inputs built to keep the automaton deep in partial matches, or to hit on every other byte.
    static let adversarial: [(words: [String], text: String, hits: Int)] = [
        // Every byte ends a word that then fails its boundary check: the slowest path, so 512 KB.
        (["aaaaaaaaab", "aa", "a"], String(repeating: "a", count: megabyte / 2), 0),
        (["a a a a a a a a a b", "a a a a a a a a a a a a a a a a c"], String(repeating: "a ", count: megabyte / 2), 0),
        (["ab ab ab ab x", "b a"], String(repeating: "ab ", count: megabyte / 3), 0),
        (["a"], String(repeating: "a ", count: 128 * 1024), 128 * 1024),
        (["é", "éé é"], String(repeating: "é", count: megabyte / 4), 0),
    ]

    @Test(arguments: adversarial.indices)
    func linearTimeOnAdversarialInput(_ index: Int) throws {
        let row = Self.adversarial[index]
        let check = try BanListCheck(options: GuardrailOptions(["words": .array(row.words.map { .string($0) })]))
        let started = ContinuousClock.now
        let findings = try check.findings(in: row.text)
        let elapsed = ContinuousClock.now - started
        #expect(findings.count == row.hits, "\(row.words)")
        #expect(elapsed < .seconds(1), "\(row.words) took \(elapsed)")
    }

    @Test func manyWordsScanOnce() throws {
        // A thousand words: the text is still scanned once, not once per word.
        let words = (0..<1000).map { "word\($0)" }
        let check = try BanListCheck(options: GuardrailOptions(["words": .array(words.map { .string($0) })]))
        let text = String(repeating: "word word1000 words ", count: 10_000) + "and word999."
        #expect(try flagged(check, text) == ["word999"])
    }
}

/// Tries every word at every character: slow and obviously right, to check the automaton against.
private struct ReferenceBanList {
    /// Each word as lowercase characters, with runs of spaces as one " ".
    let words: [[String]]

    init(words: [String]) {
        self.words = words.map { word in
            word.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }.joined(separator: " ").map { String($0) }
        }
    }

    func hits(in text: String) -> [Range<Int>] {
        // Symbols: each character lowercased, each whitespace run as " ", with UTF-8 offsets.
        var symbols: [(text: String, range: Range<Int>)] = []
        var offset = 0
        for character in text {
            let length = character.utf8.count
            defer { offset += length }
            if character.isWhitespace {
                if symbols.last?.text == " " {
                    symbols[symbols.count - 1].range = symbols[symbols.count - 1].range.lowerBound..<(offset + length)
                } else {
                    symbols.append((" ", offset..<(offset + length)))
                }
            } else {
                symbols.append((character.lowercased(), offset..<(offset + length)))
            }
        }
        func isWord(_ character: Character?) -> Bool {
            guard let character else { return false }
            return character.isLetter || character.isNumber || character == "_"
        }
        let characters = Array(text)
        var characterAt: [Int: Int] = [:] // UTF-8 offset of each character's start, to its index
        var running = 0
        for (index, character) in characters.enumerated() {
            characterAt[running] = index
            running += character.utf8.count
        }
        var result: [Range<Int>] = []
        var index = 0
        while index < symbols.count {
            var best: Range<Int>?
            for word in words where index + word.count <= symbols.count {
                guard symbols[index..<(index + word.count)].map(\.text) == word else { continue }
                let range = symbols[index].range.lowerBound..<symbols[index + word.count - 1].range.upperBound
                let first = characterAt[range.lowerBound]!
                let before = first > 0 ? characters[first - 1] : nil
                let after = characterAt[range.upperBound].map { characters[$0] }
                if isWord(Character(word.first!)) && isWord(before) { continue }
                if isWord(Character(word.last!)) && isWord(after) { continue }
                if best == nil || range.upperBound > best!.upperBound { best = range }
            }
            if let best {
                result.append(best)
                while index < symbols.count && symbols[index].range.lowerBound < best.upperBound { index += 1 }
            } else {
                index += 1
            }
        }
        return result
    }
}
