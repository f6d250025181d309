import ArgumentParser
import Foundation
import LoupeConfig

/// `--config`, shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("YAML config file (default: $LOUPE_CONFIG, else built-in defaults).", valueName: "FILE"))
    var config: String?

    /// The configuration from the file named by `--config` or `LOUPE_CONFIG`, or the defaults.
    func load() throws -> LoupeConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["LOUPE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            guard let path else { return ConfigLoader.defaults(environment: environment) }
            return try ConfigLoader.load(path: path, environment: environment)
        } catch let error as ConfigError {
            throw CommandFailure("invalid configuration: \(error)")
        }
    }
}

/// A failure to report as one line, without the usage text that argument errors get.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
