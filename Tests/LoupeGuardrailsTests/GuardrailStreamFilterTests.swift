import Foundation
import LoupeCore
import Testing

@testable import LoupeGuardrails

@Suite struct GuardrailStreamFilterTests {
    static let secret = "zq-SECRETTOKEN-0123456789"

    func policy(_ action: GuardrailResult.Action) throws -> GuardrailPolicy {
        let check = try NotContainsCheck(options: GuardrailOptions(["values": .string(Self.secret), "mask": .string("[SECRET]")]))
        return GuardrailPolicy(name: "p", output: [GuardrailRule(check, action: action)])
    }

    /// Feeds `text` in pieces of `size` bytes and returns what the client would see.
    func stream(_ text: String, size: Int, through filter: inout GuardrailStreamFilter) -> (shown: String, block: GuardrailBlock?) {
        var shown = ""
        var rest = Substring(text)
        while !rest.isEmpty {
            switch filter.feed(String(rest.prefix(size))) {
            case .emit(let out): shown += out
            case .block(let block): return (shown, block)
            }
            rest = rest.dropFirst(size)
        }
        switch filter.finish() {
        case .emit(let out): return (shown + out, nil)
        case .block(let block): return (shown, block)
        }
    }

    @Test(arguments: [1, 3, 7, 64, 200])
    func aSecretSplitAcrossChunksIsRedactedWhole(size: Int) throws {
        var filter = GuardrailStreamFilter(policy: try policy(.redact))
        let text = String(repeating: "Some words go first. ", count: 8) + "The key is \(Self.secret), keep it. " + String(repeating: "More text. ", count: 10)
        let (shown, block) = stream(text, size: size, through: &filter)
        #expect(block == nil)
        #expect(shown == text.replacingOccurrences(of: Self.secret, with: "[SECRET]"))
        #expect(filter.results.results == [GuardrailResult(direction: .output, check: "not_contains", action: .redact, category: "forbidden_content", count: 1)])
    }

    /// A match longer than the holdback: only the rule never to cut inside a word keeps it whole.
    @Test(arguments: [1, 5, 64])
    func aTokenLongerThanTheHoldbackIsRedactedWhole(size: Int) throws {
        let long = "zz-" + String(repeating: "Q7xT2mVb9L", count: 15)
        let check = try NotContainsCheck(options: GuardrailOptions(["values": .string(long), "mask": .string("[SECRET]")]))
        var filter = GuardrailStreamFilter(policy: GuardrailPolicy(name: "p", output: [GuardrailRule(check, action: .redact)]))
        let text = "Here it is: \(long) and that is all there is to say about it, really."
        #expect(stream(text, size: size, through: &filter).shown == "Here it is: [SECRET] and that is all there is to say about it, really.")
    }

    @Test func blockStopsBeforeTheSecretIsShown() throws {
        var filter = GuardrailStreamFilter(policy: try policy(.block))
        let text = String(repeating: "Harmless words here. ", count: 10) + "then \(Self.secret) and more words after it. "
        let (shown, block) = stream(text, size: 5, through: &filter)
        #expect(block?.check == "not_contains")
        #expect(!shown.contains("zq-SECRET"))
        #expect(text.hasPrefix(shown) && shown.count > 100)  // text before it did flow
    }

    @Test func textFlowsWithABoundedHoldback() throws {
        var filter = GuardrailStreamFilter(policy: try policy(.redact))
        var shown = ""
        for word in Array(repeating: "flowing ", count: 100) {
            if case .emit(let out) = filter.feed(word) { shown += out }
        }
        #expect(shown.utf8.count >= 800 - GuardrailStreamFilter.holdback - "flowing ".utf8.count)
    }

    @Test func anUnfinishedPrivateKeyBlockIsHeldUntilItEnds() throws {
        let check = try NotContainsCheck(options: GuardrailOptions(["values": .string("MIIEsecretbody")]))
        var filter = GuardrailStreamFilter(policy: GuardrailPolicy(name: "p", output: [GuardrailRule(check, action: .redact)]))
        var shown = ""
        var ended = false
        for piece in ["Here: -----BEGIN PRIVATE KEY-----\n", String(repeating: "line of key data\n", count: 10), "MIIE", "secretbody\n", "-----END PRIVATE KEY-----\n"] {
            ended = ended || piece.hasPrefix("-----END")
            if case .emit(let out) = filter.feed(piece) { shown += out }
            #expect(ended || !shown.contains("-----BEGIN"))  // nothing of the block goes out before its end arrives
        }
        if case .emit(let out) = filter.finish() { shown += out }
        #expect(shown.contains("[REDACTED]") && !shown.contains("MIIEsecretbody"))
    }

    @Test func aLongWordWithoutSpacesIsReleasedPastTheCap() throws {
        var filter = GuardrailStreamFilter(policy: try policy(.redact))
        var shown = 0
        for _ in 0..<(GuardrailStreamFilter.maxHold / 100 + 10) {
            if case .emit(let out) = filter.feed(String(repeating: "x", count: 100)) { shown += out.utf8.count }
        }
        #expect(shown > 0)
    }

    @Test func withoutSpanRulesNothingIsHeld() throws {
        let whole = try ContainsCheck(options: GuardrailOptions(["value": .string("x")]))
        var filter = GuardrailStreamFilter(policy: GuardrailPolicy(name: "p", output: [GuardrailRule(whole, action: .flag)]))
        #expect(!filter.isActive)
        #expect(filter.feed("hello") == .emit("hello"))
        #expect(filter.released == "hello")
    }
}
