import Foundation
import LoupeCore
import Testing

@testable import LoupeEvals

@Suite struct EvalResponseCacheTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("LoupeEvalsTests-responses-\(UUID().uuidString)").path

    private func removeDirectory() { try? FileManager.default.removeItem(atPath: directory) }

    private let answer = EvalOutput(
        text: "Your order ships today", toolCalls: [EvalToolCall(name: "lookup", arguments: #"{"id": 7}"#)], finishReason: "stop",
        latencyMs: 812.5, costUSD: 0.00042, inputTokens: 120, outputTokens: 9, traceID: "trace-1"
    )

    @Test func aStoredAnswerComesBackWhole() {
        defer { removeDirectory() }
        let cache = EvalResponseCache(directory: directory)
        #expect(cache.output(for: "key") == nil)
        cache.store(answer, for: "key")
        #expect(cache.output(for: "key") == answer)
        // Another process reading the same folder sees it too.
        #expect(EvalResponseCache(directory: directory).output(for: "key") == answer)
        #expect(cache.output(for: "other key") == nil)
    }

    @Test func eachKeyHasItsOwnFileNamedByItsDigest() throws {
        defer { removeDirectory() }
        let cache = EvalResponseCache(directory: directory)
        cache.store(answer, for: "first")
        cache.store(EvalOutput(text: "second"), for: "second")
        #expect(cache.output(for: "first")?.text == "Your order ships today")
        #expect(cache.output(for: "second")?.text == "second")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        // SHA-256 of "first", from `printf first | sha256sum`; nothing half-written is left behind.
        #expect(files.count == 2)
        #expect(files.contains("a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e.json"))
        #expect(files.allSatisfy { $0.hasSuffix(".json") && $0.count == 64 + 5 })
    }

    @Test func storingAgainReplacesTheAnswer() {
        defer { removeDirectory() }
        let cache = EvalResponseCache(directory: directory)
        cache.store(answer, for: "key")
        cache.store(EvalOutput(text: "newer"), for: "key")
        #expect(cache.output(for: "key")?.text == "newer")
    }

    @Test func anAnswerOlderThanTheTTLIsNotUsed() throws {
        defer { removeDirectory() }
        let cache = EvalResponseCache(directory: directory, ttlSeconds: 60)
        cache.store(answer, for: "key")
        #expect(cache.output(for: "key") != nil)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: cache.file(for: "key"))
        #expect(cache.output(for: "key") == nil)
        // A longer TTL still accepts it.
        #expect(EvalResponseCache(directory: directory, ttlSeconds: 3600).output(for: "key") == answer)
    }

    @Test func aTTLOfZeroNeverAnswers() {
        defer { removeDirectory() }
        let cache = EvalResponseCache(directory: directory, ttlSeconds: 0)
        cache.store(answer, for: "key")
        #expect(cache.output(for: "key") == nil)
    }

    @Test func aDamagedEntryIsAMiss() throws {
        defer { removeDirectory() }
        let cache = EvalResponseCache(directory: directory)
        cache.store(answer, for: "key")
        try Data("{\"text\": ".utf8).write(to: URL(fileURLWithPath: cache.file(for: "key")))
        #expect(cache.output(for: "key") == nil)
    }

    @Test func aFolderThatCannotBeWrittenIsNoError() {
        // A folder inside a regular file cannot be created; storing goes on without the cache.
        let blocked = EvalResponseCache(directory: "/dev/null/responses")
        blocked.store(answer, for: "key")
        #expect(blocked.output(for: "key") == nil)
    }

    /// The key as the runner makes it: the rendered input stands in for the prompt's text with its variables.
    func key(_ request: EvalRequest, rendered: String? = nil) -> String {
        var text = JSONValue.object(request.vars).jsonText
        if case .inline(let template) = request.prompt { text = template + text }
        return request.cacheKey(input: rendered ?? text)
    }

    @Test func requestsThatDifferInAnythingSentHaveDifferentKeys() {
        let base = EvalRequest(
            prompt: .registry(name: "support/reply", label: nil, version: 3), model: "gpt-test", vars: ["q": .string("hi")],
            parameters: ["temperature": .number(0)]
        )
        var keys: Set<String> = [key(base)]
        var other = base
        other.prompt = .registry(name: "support/reply", label: nil, version: 4)
        keys.insert(key(other))
        other = base
        other.model = "gpt-other"
        keys.insert(key(other))
        other = base
        other.vars = ["q": .string("hello")]
        keys.insert(key(other))
        other = base
        other.parameters = ["temperature": .number(0.7)]
        keys.insert(key(other))
        other = base
        other.tools = .array([.object(["type": .string("function")])])
        keys.insert(key(other))
        other = base
        other.prompt = .inline("support/reply")
        keys.insert(key(other))
        #expect(keys.count == 7)
        // The same request, built again with its variables in another order, has the same key.
        let again = EvalRequest(
            prompt: .registry(name: "support/reply", label: nil, version: 3), model: "gpt-test", vars: ["q": .string("hi")],
            parameters: ["temperature": .number(0)]
        )
        #expect(key(again) == key(base))
        // A prompt whose rendering changed (an edited partial) is a new entry, though the request is the same.
        #expect(key(base, rendered: "v1 text") != key(base, rendered: "v2 text"))
        var many: [String: JSONValue] = [:]
        for index in 0..<20 { many["v\(index)"] = .number(Double(index)) }
        var reversed: [String: JSONValue] = [:]
        for index in (0..<20).reversed() { reversed["v\(index)"] = .number(Double(index)) }
        #expect(key(EvalRequest(prompt: .inline("x"), model: "m", vars: many)) == key(EvalRequest(prompt: .inline("x"), model: "m", vars: reversed)))
    }
}
