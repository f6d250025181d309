import Foundation
import LoupeCore
import Testing

/// The guardrail report, run against every backend.
@Suite struct GuardrailReportStoreTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)

    func trace(_ offsetSeconds: Double, _ results: [GuardrailResult]) -> Trace {
        let created = Self.base.addingTimeInterval(offsetSeconds)
        return Trace(id: TraceID.make(at: created), createdAt: created, endpoint: "/v1/chat/completions", guardrails: results)
    }

    @Test(arguments: StoreBackend.tested)
    func countsCallsAndHitsPerCheckInTheWindow(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let email = GuardrailResult(direction: .input, check: "pii", action: .redact, category: "email", count: 2)
            let key = GuardrailResult(direction: .input, check: "secrets", action: .block, category: "aws_access_key", count: 1)
            try await store.insert([
                trace(0, [email, key]), trace(10, [email]), trace(20, []), trace(7200, [email]),
            ])
            let all = try await store.guardrailReport(since: nil, until: nil)
            #expect(all == [
                GuardrailReportRow(direction: .input, check: "pii", action: .redact, category: "email", calls: 3, hits: 6),
                GuardrailReportRow(direction: .input, check: "secrets", action: .block, category: "aws_access_key", calls: 1, hits: 1),
            ])
            let firstHour = try await store.guardrailReport(since: Self.base, until: Self.base.addingTimeInterval(3600))
            #expect(firstHour.first == GuardrailReportRow(direction: .input, check: "pii", action: .redact, category: "email", calls: 2, hits: 4))
            #expect(try await store.guardrailReport(since: Self.base.addingTimeInterval(9000), until: nil).isEmpty)
        }
    }
}
