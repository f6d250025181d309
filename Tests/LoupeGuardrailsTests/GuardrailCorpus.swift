import Foundation
import LoupeCore
import LoupeGuardrails
import Testing

/// A labelled test corpus for one check: `Corpus/<name>.jsonl`, one case per line,
/// `{"text": "...", "expect": ["email"]}`; an empty `expect` marks a near miss that must not fire.
struct GuardrailCorpus {
    struct Case {
        var line: Int
        var text: String
        var expected: Set<String>
    }

    /// Precision and recall of one category over the corpus, counted per case.
    struct Score: CustomStringConvertible {
        var truePositives = 0
        var falsePositives = 0
        var falseNegatives = 0
        var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
        var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }
        var description: String {
            String(format: "precision %.3f, recall %.3f (tp %d, fp %d, fn %d)", precision, recall, truePositives, falsePositives, falseNegatives)
        }
    }

    var name: String
    var cases: [Case]

    init(_ name: String) throws {
        self.name = name
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus/\(name).jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        var cases: [Case] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("//") { continue }
            guard let json = JSONValue.parse(trimmed), let caseText = json["text"]?.stringValue,
                  case .array(let expected)? = json["expect"]
            else { throw CorpusError(message: "\(name).jsonl:\(index + 1): expected {\"text\": string, \"expect\": [string]}") }
            cases.append(Case(line: index + 1, text: caseText, expected: Set(expected.compactMap(\.stringValue))))
        }
        self.cases = cases
    }

    /// Runs `check` over every case and scores each category, plus `"*"` for all categories together.
    /// `mistakes` lists the cases it got wrong, for a readable failure.
    func score(_ check: any GuardrailCheck) throws -> (scores: [String: Score], mistakes: [String]) {
        var scores: [String: Score] = [:]
        var mistakes: [String] = []
        for item in cases {
            let found = Set(try check.findings(in: item.text).map(\.category))
            for category in found.union(item.expected) {
                let hit = found.contains(category)
                let wanted = item.expected.contains(category)
                for key in [category, "*"] {
                    switch (hit, wanted) {
                    case (true, true): scores[key, default: Score()].truePositives += 1
                    case (true, false): scores[key, default: Score()].falsePositives += 1
                    case (false, true): scores[key, default: Score()].falseNegatives += 1
                    case (false, false): break
                    }
                }
                if hit != wanted {
                    mistakes.append("\(name).jsonl:\(item.line): \(hit ? "unexpected" : "missed") \(category) in \(item.text.prefix(80).debugDescription)")
                }
            }
        }
        return (scores, mistakes)
    }
}

struct CorpusError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `text` with each finding's range replaced by its mask, checking on the way that the ranges are sorted
/// and disjoint.
func redacted(_ text: String, by check: any GuardrailCheck) throws -> String {
    var bytes = Array(text.utf8)
    var previousStart = Int.max
    for finding in try check.findings(in: text).reversed() {
        let range = try #require(finding.range)
        #expect(range.upperBound <= previousStart, "findings overlap or are out of order")
        previousStart = range.lowerBound
        bytes.replaceSubrange(range, with: Array(check.mask(for: finding.category).utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
}
