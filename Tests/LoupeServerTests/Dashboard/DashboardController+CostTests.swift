import Hummingbird
import Testing

@testable import LoupeServer

/// RFC 4180 quoting of the cost CSV.
@Suite struct DashboardControllerCostTests {
    @Test func csvQuotesOnlyWhatNeedsIt() {
        let csv = DashboardController<BasicRequestContext>.csv([["model", "cost_usd"], ["plain", "0.5"], ["a,b", "say \"hi\""], ["two\nlines", "-1"], ["=SUM(A1)", ""]])
        #expect(csv == "model,cost_usd\r\nplain,0.5\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",-1\r\n'=SUM(A1),\r\n")
    }
}
