import Foundation
import Yams

/// Builds a `LoupeConfiguration` from defaults, an optional YAML file and the environment.
public enum ConfigLoader {
    /// The top-level keys a config file may use.
    static let topLevelKeys = ["server", "store", "providers", "models", "default_provider", "pricing", "retention", "guardrails", "auth", "budgets", "cache", "telemetry"]

    /// The defaults used when no config file is given: OpenAI with `OPENAI_API_KEY`, any model passed through.
    public static func defaults(environment: [String: String]) -> LoupeConfiguration {
        let key = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return LoupeConfiguration(
            providers: ["openai": .openAIDefault(apiKey: key)], defaultProvider: "openai",
            masterKey: environment["LOUPE_MASTER_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// Refuses a master key too short to resist guessing.
    public static func validate(masterKey: String?, file: String?, line: Int?) throws(ConfigError) {
        guard let masterKey, masterKey.count < LoupeConfiguration.minimumMasterKeyLength else { return }
        throw ConfigError(
            file: file, line: line, key: "auth.master_key",
            message: "the master key has \(masterKey.count) characters; use at least \(LoupeConfiguration.minimumMasterKeyLength), such as the output of `openssl rand -hex 32`"
        )
    }

    /// Reads the file at `path`.
    public static func load(path: String, environment: [String: String]) throws -> LoupeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, key: nil, message: "cannot be read: check the path given by --config or LOUPE_CONFIG")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, key: nil, message: "is not UTF-8 text")
        }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Parses config text. `file` names it in errors and anchors relative paths in it.
    public static func parse(yaml: String, file: String?, environment: [String: String]) throws -> LoupeConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        }
        var config = defaults(environment: environment)
        config.sourceFile = file
        guard let root else { return config }  // an empty file means the defaults
        let node = ConfigNode(node: root, path: "", file: file, environment: environment)
        let members = try node.mapping(allowed: topLevelKeys)
        let baseDirectory = file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "."

        var sawProviders = false
        var sawDefaultProvider = false
        var defaultProviderNode: ConfigNode?
        var modelNodes: [(String, ConfigNode)] = []
        for (key, value) in members {
            switch key {
            case "server":
                for (field, item) in try value.mapping(allowed: ["host", "port", "max_body_bytes", "max_backlog", "relay"]) {
                    switch field {
                    case "host": config.server.host = try item.string()
                    case "relay": config.server.relay = try item.bool()
                    case "port": config.server.port = try item.int(in: 0...65535)
                    case "max_backlog": config.server.maxBacklog = try item.int(in: 1...Int(Int32.max))
                    default: config.server.maxBodyBytes = try item.int(in: 1...Int(Int32.max))
                    }
                }
            case "store":
                for (field, item) in try value.mapping(allowed: ["url", "max_body_bytes", "spool", "artifacts"]) {
                    switch field {
                    case "url":
                        let url = try item.string()
                        guard LoupeConfiguration.Store.isSupported(url: url) else {
                            throw item.error(
                                "unsupported store '\(LoupeConfiguration.Store.redacted(url: url))'; expected sqlite:PATH, such as sqlite:loupe-data/loupe.db, "
                                    + "or postgres://USER:PASSWORD@HOST:5432/DATABASE"
                            )
                        }
                        config.store.url = url
                    case "spool": config.store.spoolPath = try item.string()
                    case "artifacts": config.store.artifactsPath = try item.string()
                    default: config.store.maxBodyBytes = try item.int(in: 0...Int(Int32.max))
                    }
                }
            case "retention":
                for (_, item) in try value.mapping(allowed: ["days"]) {
                    config.retentionDays = item.isNull ? nil : try item.int(in: 1...36_500)
                }
            case "providers":
                sawProviders = true
                config.providers = [:]
                for (name, item) in try value.mapping() {
                    config.providers[name] = try provider(item, baseDirectory: baseDirectory)
                }
            case "models":
                modelNodes = try value.mapping()
            case "default_provider":
                sawDefaultProvider = true
                defaultProviderNode = value
                config.defaultProvider = value.isNull ? nil : try value.string()
            case "guardrails":
                config.guardrails = try guardrails(value, baseDirectory: baseDirectory)
            case "auth":
                for (_, item) in try value.mapping(allowed: ["master_key"]) {
                    let text = try item.string()
                    config.masterKey = text.isEmpty ? config.masterKey : text
                    try validate(masterKey: config.masterKey, file: file, line: item.line)
                }
            case "budgets":
                for (_, item) in try value.mapping(allowed: ["user"]) {
                    var usd: Decimal?
                    var period = LoupeConfiguration.Budget.Period.month
                    for (field, entry) in try item.mapping(allowed: ["budget_usd", "period"]) {
                        if field == "budget_usd" {
                            guard let amount = Decimal(string: try entry.string()), amount >= 0 else { throw entry.error("expected an amount in US dollars, such as 5 or 0.50") }
                            usd = amount
                        } else {
                            guard let value = LoupeConfiguration.Budget.Period(rawValue: try entry.string()) else { throw entry.error("expected day or month") }
                            period = value
                        }
                    }
                    guard let usd else { throw item.error("missing 'budget_usd'") }
                    config.userBudget = LoupeConfiguration.Budget(usd: usd, period: period)
                }
            case "cache":
                for (field, item) in try value.mapping(allowed: ["ttl_seconds", "max_megabytes"]) {
                    if field == "ttl_seconds" {
                        config.cache.ttlSeconds = try item.int(in: 1...31_536_000)
                    } else {
                        config.cache.maxBytes = try item.int(in: 1...65_536) << 20
                    }
                }
            case "telemetry":
                config.telemetry = try telemetry(value)
            case "pricing":
                for (_, item) in try value.mapping(allowed: ["file"]) {
                    let path = try item.string()
                    config.pricingFile = path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
                }
            default:
                break  // mapping(allowed:) has refused any other key
            }
        }
        // A file that lists its own providers chooses its own default; one that lists none keeps OpenAI's.
        if sawProviders && !sawDefaultProvider { config.defaultProvider = nil }
        let providerNames = config.providers.keys.sorted().joined(separator: ", ")
        if let name = config.defaultProvider, config.providers[name] == nil, let defaultProviderNode {
            throw defaultProviderNode.error("unknown provider '\(name)'; expected one of: \(providerNames)")
        }
        config.models = try models(modelNodes, providers: config.providers, hasDefaultProvider: config.defaultProvider != nil, defaultCacheTTL: config.cache.ttlSeconds)
        return config
    }

    private static func provider(_ node: ConfigNode, baseDirectory: String) throws -> LoupeConfiguration.Provider {
        var provider = LoupeConfiguration.Provider(baseURL: "")
        var sawBaseURL = false
        for (field, item) in try node.mapping(allowed: ["type", "base_url", "api_key", "timeout_ms", "ca_file"]) {
            switch field {
            case "type":
                let type = try item.string()
                guard let kind = LoupeConfiguration.Provider.Kind(rawValue: type) else {
                    let kinds = LoupeConfiguration.Provider.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw item.error("unknown provider type '\(type)'; expected one of: \(kinds)")
                }
                provider.kind = kind
            case "base_url":
                let url = try item.string()
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                    throw item.error("'\(url)' is not an http(s) URL; expected something like https://api.openai.com/v1")
                }
                provider.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
                sawBaseURL = true
            case "api_key":
                let key = try item.string()
                provider.apiKey = key.isEmpty ? nil : key
            case "ca_file":
                let path = try item.string()
                let resolved = path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
                guard let text = try? String(contentsOfFile: resolved, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") else {
                    throw item.error("'\(resolved)' is not a readable PEM file of certificates; expected the CA that signed the provider's certificate")
                }
                provider.caFile = resolved
            default:
                provider.timeoutMs = try item.int(in: 1...86_400_000)
            }
        }
        if !sawBaseURL {
            provider.baseURL = switch provider.kind {
            case .openai: "https://api.openai.com/v1"
            case .anthropic: "https://api.anthropic.com/v1"
            }
        }
        return provider
    }

    static func syntaxError(_ error: YamlError, file: String?) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, key: nil, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file, line: context.mark.line, key: nil,
                message: "duplicate key \(duplicates.joined(separator: ", ")); each key may appear once"
            )
        default:
            return ConfigError(file: file, line: nil, key: nil, message: "invalid YAML: \(error)")
        }
    }
}
