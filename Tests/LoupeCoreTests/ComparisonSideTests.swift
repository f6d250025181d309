import Foundation
import LoupeCore
import Testing

@Suite struct ComparisonSideTests {
    func fact(_ latency: Double, model: String = "fast", ttft: Double? = nil, cost: Int64? = 1_000_000, status: TraceStatus = .ok, cacheHit: Bool = false) -> ComparisonFact {
        ComparisonFact(
            createdAtMillis: 0, model: model, status: status, latencyMs: latency, ttftMs: ttft, inputTokens: 3, outputTokens: 2,
            costPicos: cost, cacheHit: cacheHit
        )
    }

    @Test func sumsExactlyAndTakesNearestRankPercentiles() {
        let side = ComparisonSide([
            fact(40, ttft: 5), fact(10, model: "gpt-4o-mini"), fact(30, cost: nil, status: .error), fact(20, ttft: 9, cacheHit: true),
            fact(50, cost: 2, status: .cancelled),
        ])
        #expect(side.models == ["fast", "gpt-4o-mini"])
        #expect(side.requests == 5 && side.errors == 1 && side.errorRate == 0.2 && side.cacheHits == 1)
        #expect(side.pricedRequests == 4)
        #expect(side.costUSD == Decimal(string: "0.000003000002"))
        // 3.000002e-6 / 4, rounded half-up to the pico-dollar.
        #expect(side.meanCostUSD == Decimal(string: "0.000000750001"))
        #expect(side.inputTokens == 15 && side.outputTokens == 10)
        #expect(side.p50LatencyMs == 30 && side.p95LatencyMs == 50)
        #expect(side.p50TtftMs == 5)
    }

    @Test func anEmptySideHasNoRatesCostsOrPercentiles() {
        let side = ComparisonSide([ComparisonFact]())
        #expect(side.requests == 0 && side.models.isEmpty)
        #expect(side.errorRate == nil && side.costUSD == nil && side.meanCostUSD == nil)
        #expect(side.p50LatencyMs == nil && side.p95LatencyMs == nil && side.p50TtftMs == nil)
    }

    @Test func unpricedCallsLeaveTheCostUnknown() {
        let side = ComparisonSide([fact(1, cost: nil), fact(2, cost: nil)])
        #expect(side.costUSD == nil && side.meanCostUSD == nil && side.pricedRequests == 0)
    }
}
