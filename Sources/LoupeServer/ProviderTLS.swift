import LoupeConfig
import NIOSSL

/// How Loupe checks a provider's TLS certificate: the system's trust roots, plus the provider's `ca_file`.
enum ProviderTLS {
    static func configuration(caFile: String?) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        return configuration
    }

    /// A request's own TLS configuration for `provider`; nil, the client's default, when it names no `ca_file`.
    static func configuration(for provider: LoupeConfiguration.Provider) -> TLSConfiguration? {
        provider.caFile.map { configuration(caFile: $0) }
    }
}
