import Foundation
import HTTPTypes
import HummingbirdCore

/// One request to a generation route and the deterministic answer it gets.
///
/// The reply is `Hello from the fake upstream.` unless `x-fake-reply`, `[[fake-reply: …]]` in the
/// request's text, or a scripted reply matching the last user message says otherwise. Tokens are
/// whitespace-separated words: prompt tokens in the input, completion tokens in the reply.
struct FakeCall: Sendable {
    static let defaultReply = "Hello from the fake upstream."

    /// The request body, a JSON object.
    let request: FakeJSON
    /// The model as requested.
    let model: String
    let reply: String
    let cachedTokens: Int
    let reasoningTokens: Int
    /// Anthropic prompt-cache reads and writes to report (`/v1/messages`).
    let cacheReadTokens: Int
    let cacheWriteTokens: Int
    let chunkDelayMilliseconds: Int
    let cutAfter: Int?
    /// Stream the reply in pieces of this many characters instead of word by word.
    let pieceLength: Int?
    /// The function to call instead of answering, when the request has tools and `x-fake-tool-call` is set.
    let toolCall: String?
    let created: Int

    /// Told how each event stream ends; nil when nobody asks.
    let recorder: RequestRecorder?

    init(request: FakeJSON, model: String, headers: HTTPFields, scriptedReplies: [FakeScriptedReply] = [], recorder: RequestRecorder? = nil) {
        self.recorder = recorder
        self.request = request
        self.model = model
        self.reply = headers[.fakeReply] ?? Self.replyDirective(in: request) ?? FakeScriptedReply.match(scriptedReplies, in: request) ?? Self.defaultReply
        self.cachedTokens = headers[.fakeCachedTokens].flatMap(Int.init) ?? 0
        self.reasoningTokens = headers[.fakeReasoningTokens].flatMap(Int.init) ?? 0
        self.cacheReadTokens = headers[.fakeCacheReadTokens].flatMap(Int.init) ?? 0
        self.cacheWriteTokens = headers[.fakeCacheWriteTokens].flatMap(Int.init) ?? 0
        self.chunkDelayMilliseconds = headers[.fakeChunkDelayMilliseconds].flatMap(Int.init) ?? 0
        self.cutAfter = headers[.fakeCutAfter].flatMap(Int.init)
        self.pieceLength = headers[.fakePieceLength].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        self.toolCall = request["tools"] == nil ? nil : headers[.fakeToolCall]
        self.created = Int(Date().timeIntervalSince1970)
    }

    /// A `[[fake-reply: TEXT]]` written anywhere in the request's strings: the reply for a call that a test
    /// cannot put headers on, such as the one Loupe makes to a guardrail judge.
    static func replyDirective(in request: FakeJSON) -> String? {
        switch request {
        case .string(let text):
            guard let start = text.range(of: "[[fake-reply: "), let end = text[start.upperBound...].range(of: "]]") else { return nil }
            return String(text[start.upperBound..<end.lowerBound])
        case .array(let items):
            return items.lazy.compactMap(replyDirective(in:)).first
        case .object(let members):
            return members.lazy.compactMap { replyDirective(in: $0.value) }.first
        default:
            return nil
        }
    }

    /// The model as OpenAI reports it: dated (`-2024-07-18`), unless the name already ends in a date.
    var reportedModel: String {
        let parts = model.split(separator: "-", omittingEmptySubsequences: false).suffix(3)
        let dated = parts.count == 3 && parts.map(\.count) == [4, 2, 2] && parts.allSatisfy { $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
        return dated ? model : model + "-2024-07-18"
    }

    var stream: Bool { request["stream"]?.isTrue ?? false }
    var includeUsage: Bool { request["stream_options"]?["include_usage"]?.isTrue ?? false }

    /// The reply split for streaming: every word but the last keeps its trailing space (or fixed-length pieces).
    var replyPieces: [String] {
        if let pieceLength {
            var pieces: [String] = []
            var rest = Substring(reply)
            while !rest.isEmpty {
                pieces.append(String(rest.prefix(pieceLength)))
                rest = rest.dropFirst(pieceLength)
            }
            return pieces
        }
        let words = reply.split(whereSeparator: \.isWhitespace)
        return words.indices.map { index in index == words.count - 1 ? String(words[index]) : words[index] + " " }
    }

    /// Completion tokens: the reply's words (3 for a tool call) plus the reasoning tokens inside them.
    var completionTokens: Int { (toolCall == nil ? Self.wordCount(reply) : 3) + reasoningTokens }

    /// Chat-style usage, as Chat Completions and Completions report it.
    func usage(promptTokens: Int) -> FakeJSON {
        [
            "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
            "total_tokens": .int(promptTokens + completionTokens),
            "prompt_tokens_details": ["cached_tokens": .int(cachedTokens)],
            "completion_tokens_details": ["reasoning_tokens": .int(reasoningTokens)],
        ]
    }

    /// Sends `events` with this call's chunk delay and cut.
    func eventStream(_ events: [String]) -> FakeAnswer {
        let recorder = recorder
        return FakeReply.eventStream(events, delayMilliseconds: chunkDelayMilliseconds, cutAfter: cutAfter) { completed in
            recorder?.streamEnded(completed: completed)
        }
    }

    /// One `data:` event.
    static func dataEvent(_ value: FakeJSON) -> String {
        var event = "data: "
        event.reserveCapacity(512)
        value.write(to: &event)
        event += "\n\n"
        return event
    }

    /// Tokens in a piece of input: words in strings, found in `content` and `text` members and
    /// arrays of them; a number counts as one token (token arrays).
    static func tokens(in value: FakeJSON?) -> Int {
        switch value {
        case .string(let text)?: wordCount(text)
        case .int?, .double?: 1
        case .array(let items)?: items.reduce(0) { $0 + tokens(in: $1) }
        case .object?: tokens(in: value?["content"]) + tokens(in: value?["text"])
        default: 0
        }
    }

    /// Whitespace-separated words.
    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let space = scalar.properties.isWhitespace
            if !space, !inWord { count += 1 }
            inWord = !space
        }
        return count
    }

    /// A random identifier of `length` characters from `alphabet`, after `prefix`.
    ///
    /// One draw from the system generator seeds a SplitMix64 sequence: unique enough for a fake,
    /// and one syscall per identifier.
    static func identifier(_ prefix: String, length: Int, alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") -> String {
        let letters = UnsafeBufferPointer(start: alphabet.utf8Start, count: alphabet.utf8CodeUnitCount)
        var state = UInt64.random(in: .min ... .max)
        var output = Array(prefix.utf8)
        output.reserveCapacity(output.count + length)
        for _ in 0..<length {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            output.append(letters[Int(mixed % UInt64(letters.count))])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
