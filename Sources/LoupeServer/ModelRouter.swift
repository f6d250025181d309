import LoupeConfig

/// Decides which provider serves a model name, and under which upstream name.
struct ModelRouter: Sendable {
    /// Where one call goes.
    struct Route: Sendable {
        var providerName: String
        var provider: LoupeConfiguration.Provider
        /// The name to send upstream when it differs from the client's.
        var upstreamModel: String?
    }

    let configuration: LoupeConfiguration

    /// The route for `model`, or nil when the model is unknown.
    func route(model: String) -> Route? {
        if let entry = configuration.models[model], let provider = configuration.providers[entry.provider] {
            return Route(providerName: entry.provider, provider: provider, upstreamModel: entry.upstreamModel)
        }
        return defaultRoute
    }

    /// The default provider's route, for unlisted models and model-less calls.
    var defaultRoute: Route? {
        guard let name = configuration.defaultProvider, let provider = configuration.providers[name] else { return nil }
        return Route(providerName: name, provider: provider, upstreamModel: nil)
    }

    /// The configured model names, sorted.
    var configuredModels: [String] { configuration.models.keys.sorted() }
}
