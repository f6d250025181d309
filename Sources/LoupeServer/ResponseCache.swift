import Crypto
import Foundation
import LoupeCore
import NIOCore
import Synchronization

/// Exact-match answers kept in memory for a while: a repeated identical request (same endpoint, model and
/// normalised body, from the same key) is answered without calling the provider. Bounded in bytes; the least
/// recently used answers go first. Each instance keeps its own.
final class ResponseCache: Sendable {
    /// A stored answer and what it cost when the provider gave it.
    struct Entry: Sendable {
        /// The body the client got: JSON, or the whole event stream as relayed.
        var body: ByteBuffer
        var stream: Bool
        var contentType: String
        var provider: String?
        var upstreamModel: String?
        var usage: TokenUsage
        var cost: USD?
        /// The trace's response text: the assembled answer for a stream.
        var recordedResponse: String?
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: (entry: Entry, lastUsed: UInt64)] = [:]
        var bytes = 0
        var tick: UInt64 = 0
    }

    let maxBytes: Int
    private let state = Mutex(State())

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// The key for a request: endpoint, the model that answers, the caller's key, and the body with its keys
    /// sorted and `user` left out (it names the caller, not the question). Nil for a body that is not JSON.
    static func key(endpoint: String, model: String?, keyID: String?, body: [UInt8]) -> String? {
        guard case .object(var members)? = try? JSONValue.parse(bytes: body) else { return nil }
        members["user"] = nil
        let text = [endpoint, model ?? "", keyID ?? "", JSONValue.object(members).jsonText].joined(separator: "\n")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The live answer for `key`, if there is one.
    func lookup(_ key: String, now: ContinuousClock.Instant = .now) -> Entry? {
        state.withLock { state in
            guard let found = state.entries[key] else { return nil }
            guard found.entry.expires > now else {
                state.entries[key] = nil
                state.bytes -= found.entry.body.readableBytes
                return nil
            }
            state.tick += 1
            state.entries[key]?.lastUsed = state.tick
            return found.entry
        }
    }

    /// Keeps an answer; one larger than a tenth of the cache is not kept.
    func store(_ entry: Entry, for key: String) {
        let size = entry.body.readableBytes
        guard size <= maxBytes / 10 else { return }
        state.withLock { state in
            if let old = state.entries[key] { state.bytes -= old.entry.body.readableBytes }
            state.tick += 1
            state.entries[key] = (entry, state.tick)
            state.bytes += size
            guard state.bytes > maxBytes else { return }
            // Evict down to 90%, oldest use first, so eviction's sort is paid once per many stores.
            let now = ContinuousClock.now
            for (key, value) in state.entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                guard state.bytes > maxBytes * 9 / 10 || value.entry.expires <= now else { break }
                state.entries[key] = nil
                state.bytes -= value.entry.body.readableBytes
            }
        }
    }

    /// Bytes of answers held.
    var size: Int { state.withLock { $0.bytes } }
}
