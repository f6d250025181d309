import LoupeConfig
@testable import LoupeServer
import Testing

@Suite struct ModelRouterTests {
    static let configuration = LoupeConfiguration(
        providers: [
            "openai": .init(baseURL: "https://api.openai.com/v1", timeoutMs: 60_000),
            "azure": .init(baseURL: "https://azure.example/v1"),
            "standby": .init(baseURL: "https://standby.example/v1"),
        ],
        models: [
            "gpt-4o-mini": .init(
                deployments: [
                    .init(provider: "openai", upstreamModel: "gpt-4o-mini", weight: 3), .init(provider: "azure", upstreamModel: "mini-eu", weight: 1),
                    .init(provider: "standby", upstreamModel: "mini-standby", weight: 0),
                ],
                timeoutMs: 5_000
            ),
            "fast": .init(provider: "azure", upstreamModel: "llama"),
            "bot": .init(deployments: [], split: .init(champion: "gpt-4o-mini", challenger: "fast", percent: 10, sticky: .user), cacheTTLSeconds: 60),
        ],
        defaultProvider: nil
    )
    let router = ModelRouter(configuration: Self.configuration)

    @Test func deploymentsShareCallsByWeightAndTheRestAreFallbacksInOrder() throws {
        var first: [String: Int] = [:]
        for _ in 0..<4000 {
            let plan = try #require(router.plan(model: "gpt-4o-mini"))
            first[plan.primary.providerName, default: 0] += 1
            #expect(plan.routes.count == 3 && plan.routes.last?.providerName == "standby")
            #expect(plan.routes.allSatisfy { $0.timeoutMs == 5_000 })
        }
        // 3:1 expects 3000 of 4000; this band is more than 10 standard deviations wide.
        #expect((2700...3300).contains(first["openai"] ?? 0))
        #expect(first["standby"] == nil)  // weight 0 only ever takes over
    }

    @Test func aStickyUserStaysOnOneSideAndTheChallengerGetsItsShare() throws {
        var challengers = 0
        for index in 0..<2000 {
            let user = "user-\(index)"
            let plan = try #require(router.plan(model: "bot", user: user))
            let again = try #require(router.plan(model: "bot", user: user))
            #expect(plan.variant == again.variant && plan.model == again.model)
            if plan.variant == "challenger" {
                challengers += 1
                #expect(plan.model == "fast" && plan.primary.upstreamModel == "llama")
            } else {
                #expect(plan.variant == "champion" && plan.model == "gpt-4o-mini")
            }
            #expect(plan.cacheTTLSeconds == 60)  // the split model's own settings hold on both sides
        }
        // 10% of 2000 users is 200; FNV-1a spreads user names evenly enough for this band.
        #expect((140...260).contains(challengers))
    }

    @Test func unknownModelsHaveNoPlanWithoutADefaultProvider() {
        #expect(router.plan(model: "gpt-5") == nil)
        #expect(ModelRouter.fnv1a("user-1") == ModelRouter.fnv1a("user-1") && ModelRouter.fnv1a("user-1") != ModelRouter.fnv1a("user-2"))
    }
}
