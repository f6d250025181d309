import Foundation
import LoupeCore
import Testing

/// The `KeyStore` spend contract, on every backend: the sum and which pending traces it includes, read together.
@Suite struct KeyStoreTests {
    static func trace(key: String?, user: String?, cost: String, at date: Date) -> Trace {
        Trace(createdAt: date, endpoint: "/v1/chat/completions", model: "gpt-4o-mini", usage: TokenUsage(inputTokens: 1, outputTokens: 1),
              cost: USD(cost), user: user, keyID: key, keyName: key)
    }

    @Test(arguments: StoreBackend.tested)
    func spendSaysWhichPendingTracesItAlreadyCounts(_ backend: StoreBackend) async throws {
        try await backend.withStore { traces in
            let store = try #require(traces as? any LoupeStore)
            let now = Date()
            let stored = [
                Self.trace(key: "key_a", user: "ada", cost: "0.25", at: now),
                Self.trace(key: "key_a", user: "grace", cost: "0.50", at: now),
                Self.trace(key: "key_b", user: "ada", cost: "1.00", at: now),
                Self.trace(key: "key_a", user: "ada", cost: "9.00", at: now.addingTimeInterval(-86_400 * 2)),  // an earlier period
            ]
            try await store.insert(stored)
            let waiting = [stored[0].id, stored[2].id, "not-stored-yet", stored[3].id]
            let key = try await store.spend(of: .key("key_a"), since: now.addingTimeInterval(-3600), pending: waiting)
            #expect(key == StoredSpend(spent: USD("0.75")!, included: [stored[0].id]))
            let user = try await store.spend(of: .user("ada"), since: now.addingTimeInterval(-3600), pending: waiting)
            #expect(user == StoredSpend(spent: USD("1.25")!, included: [stored[0].id, stored[2].id]))
            let none = try await store.spend(of: .user("nobody' OR '1'='1"), since: .distantPast, pending: [])
            #expect(none == StoredSpend(spent: .zero, included: []))
            #expect(try await store.spend(keyID: "key_a", since: .distantPast) == USD("9.75"))
        }
    }
}
