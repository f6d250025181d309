import Foundation
import Testing

@testable import LoupeEvals

@Suite struct TextMetricsTests {
    @Test func levenshteinClassicPairs() {
        #expect(TextMetrics.levenshtein("kitten", "sitting") == 3)
        #expect(TextMetrics.levenshtein("sitting", "kitten") == 3)
        #expect(TextMetrics.levenshtein("flaw", "lawn") == 2)
        #expect(TextMetrics.levenshtein("saturday", "sunday") == 3)
        #expect(TextMetrics.levenshtein("", "abc") == 3)
        #expect(TextMetrics.levenshtein("abc", "") == 3)
        #expect(TextMetrics.levenshtein("", "") == 0)
        #expect(TextMetrics.levenshtein("same text", "same text") == 0)
        // Shared prefix and suffix trimmed, the middle still counted.
        #expect(TextMetrics.levenshtein("prefix-abc-suffix", "prefix-xbz-suffix") == 2)
    }

    @Test func levenshteinCountsCharactersNotScalars() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are one Character.
        #expect(TextMetrics.levenshtein("caf\u{E9}", "cafe\u{301}") == 0)
        #expect(TextMetrics.levenshtein("café", "cafe") == 1)
        // A family emoji is five scalars but one Character: one deletion.
        #expect(TextMetrics.levenshtein("a👨‍👩‍👧", "a") == 1)
    }

    @Test func wordsSplitOnAnyWhitespace() {
        #expect(TextMetrics.words("  one two\nthree\t four  ").map(String.init) == ["one", "two", "three", "four"])
        #expect(TextMetrics.words("   ").isEmpty)
        #expect(TextMetrics.words("don't stop-me").count == 2)
    }

    @Test func tokensAreLowerCasedLetterAndDigitRuns() {
        #expect(TextMetrics.tokens("Don't STOP, 2 go! Ça va") == ["don", "t", "stop", "2", "go", "ça", "va"])
        #expect(TextMetrics.tokens("...!?").isEmpty)
    }

    @Test func rougeOneIsClippedRecallOfTheReference() {
        // Reference "the cat is on the mat": unigrams the×2, cat, is, on, mat (6 in all).
        // Candidate "The cat sat on the mat.": the min(2,2)=2, cat 1, is 0, on 1, mat 1 → 5 of 6 = 0.8333.
        let score = TextMetrics.rougeN(candidate: "The cat sat on the mat.", reference: "the cat is on the mat")
        #expect(abs(score - 5.0 / 6.0) < 1e-12)
        // Candidate "the the the the": the is clipped to the reference's 2 → 2 of 6.
        #expect(abs(TextMetrics.rougeN(candidate: "the the the the", reference: "the cat is on the mat") - 2.0 / 6.0) < 1e-12)
        #expect(TextMetrics.rougeN(candidate: "dogs bark", reference: "the cat is on the mat") == 0)
    }

    @Test func rougeTwoCountsBigrams() {
        // Reference bigrams: "the cat", "cat is", "is on", "on the", "the mat" (5).
        // Candidate has "the cat", "on the", "the mat" of them → 3 of 5 = 0.6.
        let score = TextMetrics.rougeN(candidate: "the cat sat on the mat", reference: "the cat is on the mat", n: 2)
        #expect(abs(score - 0.6) < 1e-12)
    }

    @Test func rougeOfAnEmptyReference() {
        #expect(TextMetrics.rougeN(candidate: "", reference: "...") == 1)
        #expect(TextMetrics.rougeN(candidate: "words", reference: "") == 0)
    }

    @Test func bleuWithSmoothingOfAMissingOrder() {
        // Candidate "the cat sat on the mat", reference "the cat is on the mat", both 6 tokens (BP = 1).
        // p1: the 2 + cat + on + mat = 5 of 6.         p2: "the cat", "on the", "the mat" = 3 of 5.
        // p3: "on the mat" = 1 of 4.                   p4: no match → add-one: 1 / (3 + 1) = 1/4.
        // BLEU = (5/6 · 3/5 · 1/4 · 1/4)^(1/4) = (1/32)^(1/4) = 2^(−5/4) ≈ 0.42045.
        let score = TextMetrics.bleu(candidate: "the cat sat on the mat", references: ["the cat is on the mat"])
        #expect(abs(score - pow(2, -1.25)) < 1e-12)
    }

    @Test func bleuBrevityPenalty() {
        // Candidate "the cat" (2 tokens) against a 6-token reference: p1 = 2/2, p2 = 1/1, and the candidate has
        // no 3- or 4-grams, so those orders count as 1/1. BP = exp(1 − 6/2) = e^−2 ≈ 0.1353.
        let score = TextMetrics.bleu(candidate: "the cat", references: ["the cat sat on the mat"])
        #expect(abs(score - exp(-2)) < 1e-12)
    }

    @Test func bleuAgainstSeveralReferences() {
        // Candidate "the cat sat"; references "a cat sat" and "the dog". Clipping uses the most any reference has:
        // p1: the (ref 2), cat, sat (ref 1) = 3/3.   p2: "cat sat" (ref 1) = 1 of 2.
        // p3: "the cat sat" unmatched → 1 / (1 + 1).  p4: no 4-grams → 1/1.
        // Closest reference length to 3 is 3, so BP = 1. BLEU = (1 · 1/2 · 1/2 · 1)^(1/4) = (1/4)^(1/4) ≈ 0.7071.
        let score = TextMetrics.bleu(candidate: "the cat sat", references: ["a cat sat", "the dog"])
        #expect(abs(score - 0.5.squareRoot()) < 1e-12)
    }

    @Test func bleuEdgeCases() {
        #expect(abs(TextMetrics.bleu(candidate: "The cat sat on the mat.", references: ["the cat sat on the mat"]) - 1) < 1e-12)
        #expect(TextMetrics.bleu(candidate: "dogs bark loudly", references: ["the cat is on the mat"]) == 0)
        #expect(TextMetrics.bleu(candidate: "", references: ["the cat"]) == 0)
        #expect(TextMetrics.bleu(candidate: "the cat", references: []) == 0)
    }
}
