import Foundation
import LoupeCore
import LoupePricing
import Testing

@Suite struct PriceTableTests {
    @Test func builtInTableCoversTheMainProviders() {
        let providers = Set(PriceTable.builtIn.prices.values.compactMap(\.provider))
        #expect(providers.isSuperset(of: ["openai", "anthropic", "google", "mistral", "deepseek", "xai"]))
        #expect(PriceTable.builtIn.price(for: "gpt-4o-mini") == ModelPrice(provider: "openai", input: USD("0.15")!, output: USD("0.60")!, cachedInput: USD("0.075")!))
    }

    @Test(arguments: [
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-3-5-haiku-20241022", "claude-3-5-haiku"),
        ("gpt-4-0613", "gpt-4"),
        ("openai/gpt-4o", "gpt-4o"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
    ])
    func resolvesDatedAndPrefixedNames(name: String, base: String) {
        let price = PriceTable.builtIn.price(for: name)
        #expect(price != nil)
        #expect(price == PriceTable.builtIn.price(for: base))
    }

    @Test func unknownModelHasNoPrice() {
        #expect(PriceTable.builtIn.price(for: "llama3.2") == nil)
    }

    @Test func costIsExact() {
        let price = ModelPrice(input: USD("0.15")!, output: USD("0.60")!, cachedInput: USD("0.075")!)
        // 1,000 input of which 400 cached, 200 output: 600×0.15 + 400×0.075 + 200×0.60 per 1M = $0.00024
        let cost = price.cost(of: TokenUsage(inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400))
        #expect(cost.description == "0.00024")
        // A million calls summed stay exact, where Double drifts.
        var total = USD.zero
        var floating = 0.0
        for _ in 0..<1_000_000 {
            total += cost
            floating += 0.00024
        }
        #expect(total.description == "240")
        #expect(floating != 240)
    }

    @Test func reasoningTokensUseTheirOwnPriceWhenListed() {
        let price = ModelPrice(input: USD("1")!, output: USD("2")!, reasoning: USD("3")!)
        let cost = price.cost(of: TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000, reasoningTokens: 500_000))
        #expect(cost == USD("3.5"))  // 1×1 + 0.5×2 + 0.5×3
    }

    @Test func promptCacheWritesAndReadsEachHaveTheirRate() throws {
        // Claude Sonnet 4.5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per 1M tokens.
        let price = try #require(PriceTable.builtIn.price(for: "claude-sonnet-4-5-20250929"))
        #expect(price.cacheWriteInput == USD("3.75"))
        // 10,000 input in all: 2,000 read from the cache, 3,000 written to it, 5,000 plain; 1,000 output.
        let usage = TokenUsage(inputTokens: 10_000, outputTokens: 1_000, cachedInputTokens: 2_000, cacheWriteInputTokens: 3_000)
        // 5,000×3 + 2,000×0.30 + 3,000×3.75 + 1,000×15 per 1M = 0.015 + 0.0006 + 0.01125 + 0.015
        #expect(price.cost(of: usage) == USD("0.04185"))
        // A model without a write rate bills writes as input.
        let plain = ModelPrice(input: USD("1")!, output: USD("1")!)
        #expect(plain.cost(of: TokenUsage(inputTokens: 1_000_000, cacheWriteInputTokens: 400_000)) == USD("1"))
    }

    @Test func pricingFileExtendsAndOverrides() throws {
        let file = #"{"models": {"gpt-4o-mini": {"input": "1", "output": "2"}, "llama3.2": {"input": "0.01", "output": "0.02"}}}"#
        let table = PriceTable.builtIn.merging(try PriceTable(json: Data(file.utf8), source: "test.json"))
        #expect(table.price(for: "gpt-4o-mini")?.input == USD("1"))
        #expect(table.price(for: "llama3.2")?.output == USD("0.02"))
        #expect(table.price(for: "gpt-4o") == PriceTable.builtIn.price(for: "gpt-4o"))
    }

    @Test func badPricingFileNamesTheModelAndField() {
        let file = #"{"models": {"x": {"input": "cheap"}}}"#
        #expect {
            try PriceTable(json: Data(file.utf8), source: "prices.json")
        } throws: { error in
            "\(error)".contains("prices.json") && "\(error)".contains("'x'") && "\(error)".contains("input")
        }
    }
}
