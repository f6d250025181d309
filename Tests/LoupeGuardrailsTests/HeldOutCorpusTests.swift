import Testing

@testable import LoupeGuardrails

/// Corpora written after the checks and never used to tune them: an honest estimate beside the
/// tuned corpora's perfect scores. Both scored 1.0 when first run; the 0.95 floors catch regressions.
@Suite struct HeldOutCorpusTests {
    func score(_ name: String, _ check: any GuardrailCheck) throws -> GuardrailCorpus.Score {
        let (scores, mistakes) = try GuardrailCorpus(name).score(check)
        let all = scores["*"] ?? GuardrailCorpus.Score()
        print("\(name): \(all)")
        for mistake in mistakes { print("  \(mistake)") }
        return all
    }

    @Test func pii() throws {
        let all = try score("pii-heldout", try PIICheck())
        #expect(all.precision >= 0.95 && all.recall >= 0.95)
    }

    @Test func secrets() throws {
        let all = try score("secrets-heldout", try SecretsCheck())
        #expect(all.precision >= 0.95 && all.recall >= 0.95)
    }
}
