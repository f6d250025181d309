import Foundation

extension ConfigLoader {
    static let modelKeys = ["provider", "model", "deployments", "timeout_ms", "retries", "rpm", "tpm", "split", "shadow", "cache"]

    /// Reads `models`, then checks that every provider, split side and shadow model it names exists.
    static func models(
        _ nodes: [(key: String, value: ConfigNode)], providers: [String: LoupeConfiguration.Provider], hasDefaultProvider: Bool,
        defaultCacheTTL: Int
    ) throws -> [String: LoupeConfiguration.Model] {
        let providerNames = providers.keys.sorted().joined(separator: ", ")
        var models: [String: LoupeConfiguration.Model] = [:]
        var references: [(name: String, node: ConfigNode, what: String)] = []
        for (name, item) in nodes {
            var model = LoupeConfiguration.Model(deployments: [])
            var single: (provider: String?, model: String?, node: ConfigNode?) = (nil, nil, nil)
            for (field, value) in try item.mapping(allowed: modelKeys) {
                switch field {
                case "provider": single = (try value.string(), single.model, value)
                case "model": single.model = try value.string()
                case "deployments":
                    for entry in try value.sequence() {
                        let deployment = try deployment(entry)
                        guard providers[deployment.provider] != nil else {
                            throw entry.error("unknown provider '\(deployment.provider)'; expected one of: \(providerNames)")
                        }
                        model.deployments.append(deployment)
                    }
                    if model.deployments.isEmpty { throw value.error("expected at least one deployment") }
                case "timeout_ms": model.timeoutMs = try value.int(in: 1...86_400_000)
                case "retries": model.retries = try value.int(in: 0...10)
                case "rpm": model.rpm = try value.int(in: 1...100_000_000)
                case "tpm": model.tpm = try value.int(in: 1...Int(Int32.max))
                case "split":
                    let split = try split(value)
                    model.split = split
                    references.append((split.champion, value, "split champion"))
                    references.append((split.challenger, value, "split challenger"))
                case "shadow":
                    let shadow = try shadow(value)
                    model.shadow = shadow
                    references.append((shadow.model, value, "shadow model"))
                default:
                    model.cacheTTLSeconds = try cacheTTL(value, default: defaultCacheTTL)
                }
            }
            if let provider = single.provider, let node = single.node {
                guard model.deployments.isEmpty else { throw node.error("give either 'provider' or 'deployments', not both") }
                guard providers[provider] != nil else { throw node.error("unknown provider '\(provider)'; expected one of: \(providerNames)") }
                model.deployments = [LoupeConfiguration.Deployment(provider: provider, upstreamModel: single.model)]
            } else if single.model != nil, model.deployments.isEmpty {
                throw item.error("missing 'provider' for 'model'; expected one of: \(providerNames)")
            }
            if model.deployments.isEmpty && model.split == nil {
                throw item.error("missing 'provider'; expected one of: \(providerNames), or 'deployments', or a 'split'")
            }
            models[name] = model
        }
        // A split side or shadow is a listed model that serves calls itself, or goes to the default provider.
        for reference in references {
            if let target = models[reference.name] {
                if target.deployments.isEmpty {
                    throw reference.node.error("the \(reference.what) '\(reference.name)' is itself a split; name a model with a provider")
                }
            } else if !hasDefaultProvider {
                let known = models.filter { !$0.value.deployments.isEmpty }.keys.sorted().joined(separator: ", ")
                throw reference.node.error("unknown \(reference.what) '\(reference.name)'; expected one of: \(known)")
            }
        }
        return models
    }

    private static func deployment(_ node: ConfigNode) throws -> LoupeConfiguration.Deployment {
        var deployment = LoupeConfiguration.Deployment(provider: "")
        var sawProvider = false
        for (field, value) in try node.mapping(allowed: ["provider", "model", "weight"]) {
            switch field {
            case "provider":
                deployment.provider = try value.string()
                sawProvider = true
            case "model": deployment.upstreamModel = try value.string()
            default: deployment.weight = try value.int(in: 0...1_000_000)
            }
        }
        guard sawProvider else { throw node.error("missing 'provider' in the deployment") }
        return deployment
    }

    private static func split(_ node: ConfigNode) throws -> LoupeConfiguration.Split {
        var champion: String?
        var challenger: String?
        var split = LoupeConfiguration.Split(champion: "", challenger: "", percent: 0)
        for (field, value) in try node.mapping(allowed: ["champion", "challenger", "percent", "sticky"]) {
            switch field {
            case "champion": champion = try value.string()
            case "challenger": challenger = try value.string()
            case "percent": split.percent = try percent(value)
            default:
                let text = try value.string()
                guard let sticky = LoupeConfiguration.Split.Sticky(rawValue: text) else {
                    throw value.error("expected one of: user, key, none")
                }
                split.sticky = sticky
            }
        }
        guard let champion else { throw node.error("missing 'champion'") }
        guard let challenger else { throw node.error("missing 'challenger'") }
        split.champion = champion
        split.challenger = challenger
        return split
    }

    private static func shadow(_ node: ConfigNode) throws -> LoupeConfiguration.Shadow {
        var model: String?
        var shadow = LoupeConfiguration.Shadow(model: "")
        for (field, value) in try node.mapping(allowed: ["model", "percent"]) {
            if field == "model" { model = try value.string() } else { shadow.percent = try percent(value) }
        }
        guard let model else { throw node.error("missing 'model'") }
        shadow.model = model
        return shadow
    }

    /// `cache: true` keeps answers for the default TTL, `cache: {ttl_seconds: N}` for N seconds, `false` not at all.
    private static func cacheTTL(_ node: ConfigNode, default ttlSeconds: Int) throws -> Int? {
        if let enabled = try? node.bool() { return enabled ? ttlSeconds : nil }
        var ttl = ttlSeconds
        for (_, value) in try node.mapping(allowed: ["ttl_seconds"]) { ttl = try value.int(in: 1...31_536_000) }
        return ttl
    }

    private static func percent(_ node: ConfigNode) throws -> Double {
        let value = try node.double()
        guard (0...100).contains(value) else { throw node.error("expected a percentage from 0 to 100") }
        return value
    }
}
