import LoupeCore
import NIOCore
@testable import LoupeServer
import Testing

@Suite struct ResponseCacheTests {
    static func entry(bytes: Int, ttl: Duration = .seconds(60)) -> ResponseCache.Entry {
        ResponseCache.Entry(
            body: ByteBuffer(repeating: 65, count: bytes), stream: false, contentType: "application/json", provider: "p", upstreamModel: nil,
            usage: TokenUsage(), cost: nil, recordedResponse: nil, expires: .now + ttl
        )
    }

    @Test func theCacheStaysWithinItsBytesDroppingTheLeastRecentlyUsed() {
        let cache = ResponseCache(maxBytes: 10_000)
        for index in 0..<10 { cache.store(Self.entry(bytes: 900), for: "k\(index)") }
        #expect(cache.lookup("k0") != nil)  // now the most recently used
        for index in 10..<14 { cache.store(Self.entry(bytes: 900), for: "k\(index)") }
        #expect(cache.size <= 10_000)
        #expect(cache.lookup("k0") != nil && cache.lookup("k1") == nil && cache.lookup("k13") != nil)
        cache.store(Self.entry(bytes: 1_001), for: "big")  // over a tenth of the cache: not kept
        #expect(cache.lookup("big") == nil)
    }

    @Test func expiredAnswersAreGone() {
        let cache = ResponseCache(maxBytes: 10_000)
        cache.store(Self.entry(bytes: 10, ttl: .milliseconds(-1)), for: "old")
        #expect(cache.lookup("old") == nil && cache.size == 0)
    }

    @Test func theKeyIgnoresKeyOrderAndUserButNotTheModelOrTheCaller() throws {
        let a = ResponseCache.key(endpoint: "/v1/chat/completions", model: "m", keyID: nil, body: Array(#"{"a":1,"b":2,"user":"x"}"#.utf8))
        let b = ResponseCache.key(endpoint: "/v1/chat/completions", model: "m", keyID: nil, body: Array(#"{"b":2,"a":1.0}"#.utf8))
        #expect(a != nil && a == b)
        #expect(a != ResponseCache.key(endpoint: "/v1/chat/completions", model: "other", keyID: nil, body: Array(#"{"a":1,"b":2}"#.utf8)))
        #expect(a != ResponseCache.key(endpoint: "/v1/chat/completions", model: "m", keyID: "key_1", body: Array(#"{"a":1,"b":2}"#.utf8)))
        #expect(ResponseCache.key(endpoint: "/v1/x", model: nil, keyID: nil, body: Array("not json".utf8)) == nil)
    }
}
