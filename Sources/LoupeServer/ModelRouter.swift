import LoupeConfig

/// Decides where a call for a model name goes: which side of a split, which deployments in which order,
/// how often each is tried, and whether it is shadowed or cached.
struct ModelRouter: Sendable {
    /// One deployment a call can be sent to.
    struct Route: Sendable {
        var providerName: String
        var provider: LoupeConfiguration.Provider
        /// The name to send upstream when it differs from the client's.
        var upstreamModel: String?
        /// How long one attempt may wait for the provider's answer.
        var timeoutMs: Int
    }

    /// Everything decided for one call before it is sent.
    struct Plan: Sendable {
        /// The model that answers: the requested one, or the split side drawn for this caller.
        var model: String
        /// `champion` or `challenger` when the requested model splits its calls.
        var variant: String?
        /// The chosen deployment first, then the fallbacks in config order.
        var routes: [Route]
        /// How many more times each deployment is tried when it fails.
        var retries: Int
        var shadow: LoupeConfiguration.Shadow?
        /// Seconds a cached answer lives, when the model caches.
        var cacheTTLSeconds: Int?

        /// The route tried first.
        var primary: Route { routes[0] }
    }

    let configuration: LoupeConfiguration

    /// The plan for a call to `model`, or nil when the model is unknown. The user or key keeps a caller on one side of a split.
    func plan(model: String, user: String? = nil, keyID: String? = nil) -> Plan? {
        guard let entry = configuration.models[model] else {
            return defaultRoute.map { Plan(model: model, routes: [$0], retries: LoupeConfiguration.Model.defaultRetries) }
        }
        guard let split = entry.split else { return plan(model, entry) }
        let stickyKey: String? = switch split.sticky {
        case .user: user
        case .key: keyID
        case .none: nil
        }
        let challenger = Self.drawsChallenger(percent: split.percent, stickyKey: stickyKey)
        let side = challenger ? split.challenger : split.champion
        let sideEntry = side == model ? entry : configuration.models[side]
        var chosen: Plan?
        if let sideEntry, !sideEntry.deployments.isEmpty {
            chosen = plan(side, sideEntry)
        } else {
            chosen = defaultRoute.map { Plan(model: side, routes: [$0], retries: LoupeConfiguration.Model.defaultRetries) }
        }
        guard var chosen else { return nil }
        chosen.variant = challenger ? "challenger" : "champion"
        // What the requested model says about shadows and caching holds for both sides.
        if let shadow = entry.shadow { chosen.shadow = shadow }
        if let ttl = entry.cacheTTLSeconds { chosen.cacheTTLSeconds = ttl }
        return chosen
    }

    private func plan(_ name: String, _ entry: LoupeConfiguration.Model) -> Plan? {
        var routes: [Route] = entry.deployments.compactMap { deployment in
            guard let provider = configuration.providers[deployment.provider] else { return nil }
            return Route(
                providerName: deployment.provider, provider: provider, upstreamModel: deployment.upstreamModel,
                timeoutMs: entry.timeoutMs ?? provider.timeoutMs
            )
        }
        guard !routes.isEmpty else { return nil }
        let first = Self.weightedIndex(entry.deployments.map(\.weight))
        if first != 0 { routes.insert(routes.remove(at: first), at: 0) }
        return Plan(model: name, routes: routes, retries: entry.retries, shadow: entry.shadow, cacheTTLSeconds: entry.cacheTTLSeconds)
    }

    /// The default provider's route, for unlisted models and model-less calls.
    var defaultRoute: Route? {
        guard let name = configuration.defaultProvider, let provider = configuration.providers[name] else { return nil }
        return Route(providerName: name, provider: provider, upstreamModel: nil, timeoutMs: provider.timeoutMs)
    }

    /// The configured model names, sorted.
    var configuredModels: [String] { configuration.models.keys.sorted() }

    /// An index drawn in proportion to `weights`; weight 0 is a standby, used only as a fallback.
    static func weightedIndex(_ weights: [Int]) -> Int {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard weights.count > 1, total > 0 else { return 0 }
        var draw = Int.random(in: 0..<total)
        for (index, weight) in weights.enumerated() where weight > 0 {
            if draw < weight { return index }
            draw -= weight
        }
        return 0
    }

    /// Whether a call goes to the challenger. A sticky key always lands on the same side, on every instance,
    /// because the side comes from a hash of the key; without one each call is drawn anew.
    static func drawsChallenger(percent: Double, stickyKey: String?) -> Bool {
        let point: Double
        if let stickyKey {
            point = Double(fnv1a(stickyKey) % 10_000) / 100
        } else {
            point = Double.random(in: 0..<100)
        }
        return point < percent
    }

    /// FNV-1a, 64 bits: stable across processes, unlike Swift's seeded `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
