import ArgumentParser
import Foundation
import LoupeConfig

/// `--config`, shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("YAML config file (default: $LOUPE_CONFIG, else built-in defaults).", valueName: "FILE"))
    var config: String?

    /// The configuration from the file named by `--config` or `LOUPE_CONFIG`, or the defaults;
    /// `LOUPE_STORE_URL` overrides `store.url`.
    func load() throws -> LoupeConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["LOUPE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var configuration: LoupeConfiguration
        do {
            configuration = try path.map { try ConfigLoader.load(path: $0, environment: environment) } ?? ConfigLoader.defaults(environment: environment)
        } catch let error as ConfigError {
            throw CommandFailure("invalid configuration: \(error)")
        }
        if let url = environment["LOUPE_STORE_URL"], !url.isEmpty {
            guard LoupeConfiguration.Store.isSupported(url: url) else {
                throw CommandFailure(
                    "invalid LOUPE_STORE_URL '\(LoupeConfiguration.Store.redacted(url: url))': expected sqlite:PATH or postgres://USER:PASSWORD@HOST:5432/DATABASE"
                )
            }
            configuration.store.url = url
        }
        return configuration
    }
}

/// A failure to report as one line, without the usage text that argument errors get.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
