import ArgumentParser
import Foundation
import Hummingbird
import Logging
import LoupeConfig
import LoupeServer
import LoupeCore

/// `loupe serve`: run the proxy, the query API and the trace writer.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the proxy. With no config it listens on 127.0.0.1:4000, stores in ./loupe-data/loupe.db and forwards to OpenAI with $OPENAI_API_KEY."
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Address to listen on (overrides server.host).")
    var host: String?

    @Option(help: "Port to listen on (overrides server.port; 0 picks a free one).")
    var port: Int?

    @Flag(help: "Do not migrate the store on start; refuse to start if its schema is not current.")
    var noMigrate = false

    @Flag(help: "Listen on an address other machines reach although auth is off (no auth.master_key): anyone reaching the port can spend on your providers' keys.")
    var insecurePublic = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        var configuration = try options.load()
        if let host { configuration.server.host = host }
        configuration.server.insecurePublic = insecurePublic
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            configuration.server.port = port
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = LazyMetadataLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "loupe")
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration: configuration, migrate: !noMigrate, logger: logger)
        } catch {
            throw CommandFailure("cannot start: \(error)")
        }
        logger.info(
            "Loupe is starting",
            metadata: [
                "address": "http://\(configuration.server.host):\(configuration.server.port)",
                "store": "\(LoupeConfiguration.Store.redacted(url: configuration.store.url))",
                "config": "\(configuration.sourceFile ?? "defaults")",
                "auth": "\(configuration.masterKey == nil ? "off" : "on")",
            ]
        )
        do {
            try await app.runService()
        } catch let error as SchemaError {
            throw CommandFailure("cannot start: \(error)")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
