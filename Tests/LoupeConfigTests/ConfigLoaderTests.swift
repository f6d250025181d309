import Foundation
import LoupeConfig
import Testing

@Suite struct ConfigLoaderTests {
    let environment = ["OPENAI_API_KEY": "sk-test", "LOCAL_PORT": "11434"]

    @Test func defaultsForwardAnyModelToOpenAI() {
        let config = ConfigLoader.defaults(environment: environment)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 4000)
        #expect(config.store.url == "sqlite:loupe-data/loupe.db")
        #expect(config.defaultProvider == "openai")
        #expect(config.providers["openai"] == .init(baseURL: "https://api.openai.com/v1", apiKey: "sk-test"))
    }

    @Test func parsesTheDocumentedExample() throws {
        let yaml = """
            server: { host: 0.0.0.0, port: 4100 }
            store:  { url: "sqlite:data/traces.db" }
            providers:
              openai: { type: openai, base_url: https://api.openai.com/v1, api_key: "${OPENAI_API_KEY}" }
              local:  { type: openai, base_url: "http://127.0.0.1:${LOCAL_PORT}/v1" }
            models:
              gpt-4o-mini: { provider: openai }
              fast:        { provider: local, model: llama3.2 }
            default_provider: openai
            pricing: { file: prices.json }
            """
        let config = try ConfigLoader.parse(yaml: yaml, file: "/etc/loupe/loupe.yaml", environment: environment)
        #expect(config.server == .init(host: "0.0.0.0", port: 4100))
        #expect(config.store.url == "sqlite:data/traces.db")
        #expect(config.providers["openai"]?.apiKey == "sk-test")
        #expect(config.providers["local"] == .init(baseURL: "http://127.0.0.1:11434/v1", apiKey: nil))
        #expect(config.models["fast"] == .init(provider: "local", upstreamModel: "llama3.2"))
        #expect(config.models["gpt-4o-mini"] == .init(provider: "openai"))
        #expect(config.defaultProvider == "openai")
        #expect(config.pricingFile == "/etc/loupe/prices.json")
    }

    @Test func listedProvidersWithoutDefaultMakeUnlistedModelsUnknown() throws {
        let config = try ConfigLoader.parse(yaml: "providers:\n  local: { base_url: http://127.0.0.1:1/v1 }\n", file: nil, environment: [:])
        #expect(config.defaultProvider == nil)
    }

    @Test func unsetVariableUsesItsDefault() throws {
        let config = try ConfigLoader.parse(yaml: "server: { port: \"${PORT:-4321}\" }", file: nil, environment: [:])
        #expect(config.server.port == 4321)
    }

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: "loupe.yaml", environment: environment)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func unknownProviderNamesFileLineAndKey() throws {
        let failure = try #require(error("""
            providers:
              local: { base_url: http://127.0.0.1:11434/v1 }
            models:
              fast: { provider: lcoal, model: llama3.2 }
            """))
        #expect(failure.file == "loupe.yaml")
        #expect(failure.line == 4)
        #expect(failure.key == "models.fast.provider")
        #expect(failure.description == "loupe.yaml:4: models.fast.provider: unknown provider 'lcoal'; expected one of: local")
    }

    @Test func misspelledKeyIsRejected() throws {
        let failure = try #require(error("server:\n  host: 127.0.0.1\n  prot: 80\n"))
        #expect(failure.line == 3)
        #expect(failure.key == "server.prot")
        #expect(failure.message.contains("expected one of: host, port"))
    }

    @Test func wrongTypesSayWhatIsExpected() throws {
        let port = try #require(error("server: { port: eighty }"))
        #expect(port.key == "server.port")
        #expect(port.message.contains("whole number"))
        let url = try #require(error("providers:\n  x: { base_url: not a url }"))
        #expect(url.key == "providers.x.base_url")
        #expect(url.line == 2)
    }

    @Test func aProvidersCAFileIsReadRelativeToTheConfigAndMustHoldCertificates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(to: directory.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        try "not a certificate".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("loupe.yaml").path
        let config = try ConfigLoader.parse(
            yaml: "providers:\n  gateway: { base_url: https://llm.internal/v1, ca_file: ca.pem }\n", file: file, environment: [:]
        )
        #expect(config.providers["gateway"]?.caFile == directory.appendingPathComponent("ca.pem").path)
        for bad in ["notes.txt", "missing.pem"] {
            let failure = try #require(throws: ConfigError.self) {
                try ConfigLoader.parse(yaml: "providers:\n  gateway: { base_url: https://llm.internal/v1, ca_file: \(bad) }\n", file: file, environment: [:])
            }
            #expect(failure.key == "providers.gateway.ca_file" && failure.line == 2)
            #expect(failure.message.contains("PEM"))
        }
    }

    @Test func yamlSyntaxErrorHasALine() throws {
        let failure = try #require(error("server:\n  host: [unclosed\n"))
        #expect(failure.line != nil)
        #expect(failure.message.hasPrefix("invalid YAML"))
    }

    @Test func unknownDefaultProviderIsRejected() throws {
        let failure = try #require(error("default_provider: azure"))
        #expect(failure.key == "default_provider")
        #expect(failure.message.contains("unknown provider 'azure'"))
    }

    @Test func storeSettingsForPostgresSpoolAndRetention() throws {
        let yaml = """
            store: { url: "postgres://loupe:s3cret@db:5432/loupe", spool: /var/lib/loupe/a.spool, max_body_bytes: 2048 }
            retention: { days: 30 }
            """
        let config = try ConfigLoader.parse(yaml: yaml, file: "loupe.yaml", environment: environment)
        #expect(config.store == .init(url: "postgres://loupe:s3cret@db:5432/loupe", maxBodyBytes: 2048, spoolPath: "/var/lib/loupe/a.spool"))
        #expect(config.retentionDays == 30)
    }

    @Test func unsupportedStoreURLIsRefusedWithoutShowingThePassword() throws {
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "store:\n  url: \"mysql://root:hunter2@db/loupe\"\n", file: "loupe.yaml", environment: environment)
        }
        #expect(error.description.hasPrefix("loupe.yaml:2: store.url: unsupported store"))
        #expect(error.description.contains("postgres://"))
        #expect(!error.description.contains("hunter2"))
    }

    @Test func retentionDaysMustBePositive() throws {
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "retention: { days: 0 }", file: "loupe.yaml", environment: environment)
        }
        #expect(error.description.contains("retention.days"))
    }

    @Test func redactedURLHidesOnlyThePassword() {
        #expect(LoupeConfiguration.Store.redacted(url: "postgres://loupe:p@ss@db:5432/x") == "postgres://loupe:***@db:5432/x")
        #expect(LoupeConfiguration.Store.redacted(url: "postgres://loupe@db/x") == "postgres://loupe@db/x")
        #expect(LoupeConfiguration.Store.redacted(url: "sqlite:loupe-data/loupe.db") == "sqlite:loupe-data/loupe.db")
    }
}
