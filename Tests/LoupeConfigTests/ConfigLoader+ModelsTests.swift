import LoupeConfig
import Testing

@Suite struct ConfigLoaderModelsTests {
    static let providers = """
        providers:
          openai: { type: openai, base_url: https://api.openai.com/v1 }
          azure:  { type: openai, base_url: https://example.openai.azure.com/v1 }
          claude: { type: anthropic }

        """

    func parse(_ yaml: String) throws -> LoupeConfiguration {
        try ConfigLoader.parse(yaml: Self.providers + yaml, file: "loupe.yaml", environment: [:])
    }

    func failure(_ yaml: String) -> ConfigError? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test func deploymentsSplitShadowAndCacheAsTheIssueWritesThem() throws {
        let config = try parse("""
            models:
              gpt-4o-mini:
                deployments:
                  - { provider: openai, model: gpt-4o-mini, weight: 3 }
                  - { provider: azure, model: gpt-4o-mini, weight: 1 }
                timeout_ms: 30000
                retries: 2
                shadow: { model: sonnet, percent: 25 }
                cache: { ttl_seconds: 600 }
              sonnet: { provider: claude, model: claude-sonnet-4-5 }
              support-bot:
                split: { champion: gpt-4o-mini, challenger: sonnet, percent: 10, sticky: user }
                cache: true
            """)
        let model = try #require(config.models["gpt-4o-mini"])
        #expect(model.deployments == [
            .init(provider: "openai", upstreamModel: "gpt-4o-mini", weight: 3), .init(provider: "azure", upstreamModel: "gpt-4o-mini", weight: 1),
        ])
        #expect(model.timeoutMs == 30_000 && model.retries == 2)
        #expect(model.shadow == .init(model: "sonnet", percent: 25))
        #expect(model.cacheTTLSeconds == 600)
        #expect(config.providers["claude"] == .init(kind: .anthropic, baseURL: "https://api.anthropic.com/v1"))
        let bot = try #require(config.models["support-bot"])
        #expect(bot.deployments.isEmpty)
        #expect(bot.split == .init(champion: "gpt-4o-mini", challenger: "sonnet", percent: 10, sticky: .user))
        #expect(bot.cacheTTLSeconds == config.cache.ttlSeconds)
        #expect(config.models["sonnet"]?.retries == LoupeConfiguration.Model.defaultRetries)
    }

    @Test func anUnknownDeploymentProviderFailsAtStartWithItsLine() throws {
        let error = try #require(failure("""
            models:
              gpt-4o-mini:
                deployments:
                  - { provider: openai }
                  - { provider: azrue, model: gpt-4o-mini }
            """))
        #expect(error.line == 9)
        #expect(error.description.contains("unknown provider 'azrue'; expected one of: azure, claude, openai"))
    }

    @Test func splitAndShadowMustNameModelsThatServeCalls() throws {
        let unknown = try #require(failure("""
            models:
              bot: { split: { champion: a, challenger: b, percent: 10 } }
            """))
        #expect(unknown.description.contains("unknown split champion 'a'"))
        let splitOfSplit = try #require(failure("""
            models:
              a: { provider: openai }
              bot: { split: { champion: a, challenger: a, percent: 10 } }
              other: { provider: openai, shadow: { model: bot } }
            """))
        #expect(splitOfSplit.description.contains("the shadow model 'bot' is itself a split"))
        // With a default provider, any name can be a side: it goes there.
        let config = try ConfigLoader.parse(yaml: Self.providers + """
            default_provider: openai
            models:
              bot: { split: { champion: gpt-4o, challenger: gpt-4o-mini, percent: 50, sticky: none } }
            """, file: nil, environment: [:])
        #expect(config.models["bot"]?.split?.sticky == LoupeConfiguration.Split.Sticky.none)
    }

    @Test func badRoutingValuesSayWhatIsExpected() throws {
        #expect(failure("models:\n  m: { provider: openai, deployments: [ { provider: azure } ] }")?.description.contains("either 'provider' or 'deployments'") == true)
        #expect(failure("models:\n  m: { deployments: [] }")?.description.contains("at least one deployment") == true)
        #expect(failure("models:\n  m: { provider: openai, retries: 11 }") != nil)
        #expect(failure("models:\n  a: { provider: openai }\n  m: { split: { champion: a, challenger: a, percent: 120 } }")?.description.contains("from 0 to 100") == true)
        #expect(failure("models:\n  a: { provider: openai }\n  m: { split: { champion: a, challenger: a, percent: 5, sticky: ip } }")?.description.contains("user, key, none") == true)
        #expect(failure("models:\n  m: { model: x }")?.description.contains("missing 'provider'") == true)
        #expect(failure("models:\n  m: { deployments: [ { model: x } ] }")?.description.contains("missing 'provider' in the deployment") == true)
    }
}
