import Foundation
import LoupeCore
import Testing

@Suite struct HealthControllerTests {
    @Test func readinessReportsTheStoreAndWhatWaitsToBeWritten() async throws {
        try await withLoupe { loupe in
            let health = try await loupe.get("/healthz")
            #expect(health.status == 200)
            let ready = try await loupe.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.json?["status"] == .string("ready"))
            #expect(ready.json?["store"] == .string("ok"))
            #expect(ready.json?["queued_traces"] == .number(0))
            #expect(ready.json?["spooled_traces"] == .number(0))
        }
    }
}
