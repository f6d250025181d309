import Foundation

/// The text similarity measures behind `levenshtein`, `rouge-n`, `bleu` and `word-count`: pure functions of
/// their strings, so reports and tests can compute them too.
public enum TextMetrics {
    /// The edit distance (insertions, deletions, substitutions) between `a` and `b`, counted in Characters
    /// (grapheme clusters), so a precomposed and a decomposed "é" are the same and an emoji is one edit.
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        var a = Array(a)
        var b = Array(b)
        // A shared prefix and suffix cost nothing; trimming them keeps near-identical long texts cheap.
        let prefix = zip(a, b).prefix { $0 == $1 }.count
        a.removeFirst(prefix)
        b.removeFirst(prefix)
        let suffix = zip(a.reversed(), b.reversed()).prefix { $0 == $1 }.count
        a.removeLast(suffix)
        b.removeLast(suffix)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if a.count < b.count { swap(&a, &b) }
        // Two rows of the dynamic-programming table, the shorter text across.
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The whitespace-separated words of `text`, as `word-count` counts them.
    public static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: \.isWhitespace)
    }

    /// The lower-cased runs of letters and digits in `text`, as ROUGE and BLEU compare them: punctuation and
    /// case never count, and "don't" is the two tokens "don" and "t".
    public static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// ROUGE-N recall: the share of the reference's `n`-grams that the candidate also has, each counted at most
    /// as often as the candidate has it. A reference too short for one `n`-gram scores 1 against a candidate
    /// that also has none, else 0.
    public static func rougeN(candidate: String, reference: String, n: Int = 1) -> Double {
        let referenceGrams = ngramCounts(tokens(reference), n: n)
        let candidateGrams = ngramCounts(tokens(candidate), n: n)
        let total = referenceGrams.values.reduce(0, +)
        guard total > 0 else { return candidateGrams.isEmpty ? 1 : 0 }
        let overlap = referenceGrams.reduce(0) { $0 + min($1.value, candidateGrams[$1.key] ?? 0) }
        return Double(overlap) / Double(total)
    }

    /// Sentence BLEU (Papineni et al.) of `candidate` against `references`: the geometric mean of the modified
    /// n-gram precisions for n = 1…`maxN` with uniform weights, times the brevity penalty against the reference
    /// whose length is closest (the shorter on a tie).
    ///
    /// Smoothing: an order n > 1 with no matching n-gram gets add-one precision, 1 / (candidate n-grams + 1),
    /// instead of zeroing the score (orders the candidate is too short for count as 1 / 1); orders with
    /// matches keep the plain precision. No unigram in common, or an empty candidate, scores 0.
    public static func bleu(candidate: String, references: [String], maxN: Int = 4) -> Double {
        let candidateTokens = tokens(candidate)
        let referenceTokens = references.map(tokens)
        guard !candidateTokens.isEmpty, !referenceTokens.isEmpty, maxN >= 1 else { return 0 }
        var logSum = 0.0
        for n in 1...maxN {
            let grams = ngramCounts(candidateTokens, n: n)
            var clip: [ArraySlice<String>: Int] = [:]
            for reference in referenceTokens {
                for (gram, count) in ngramCounts(reference, n: n) { clip[gram] = max(clip[gram] ?? 0, count) }
            }
            let total = max(candidateTokens.count - n + 1, 0)
            let matched = grams.reduce(0) { $0 + min($1.value, clip[$1.key] ?? 0) }
            let precision: Double
            if matched > 0 {
                precision = Double(matched) / Double(total)
            } else if n == 1 {
                return 0
            } else {
                precision = 1 / Double(total + 1)
            }
            logSum += log(precision) / Double(maxN)
        }
        let length = candidateTokens.count
        let closest = referenceTokens.map(\.count).min { (abs($0 - length), $0) < (abs($1 - length), $1) } ?? 0
        let brevity = length >= closest ? 1 : exp(1 - Double(closest) / Double(length))
        return brevity * exp(logSum)
    }

    /// How often each run of `n` consecutive tokens occurs.
    static func ngramCounts(_ tokens: [String], n: Int) -> [ArraySlice<String>: Int] {
        guard n >= 1, tokens.count >= n else { return [:] }
        var counts: [ArraySlice<String>: Int] = [:]
        for start in 0...(tokens.count - n) { counts[tokens[start..<(start + n)], default: 0] += 1 }
        return counts
    }
}
