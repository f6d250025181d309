import NIOSSL

/// How Loupe checks a provider's TLS certificate: the system's trust roots, plus the provider's `ca_file`.
enum ProviderTLS {
    static func configuration(caFile: String?) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        return configuration
    }
}
