import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import LoupeConfig
import LoupeCore
import LoupePricing
import LoupeRecorder

/// Builds the Loupe server: store, trace writer, upstream client and routes, ready to run.
///
/// - Parameters:
///   - configuration: resolved settings (defaults, config file and flags).
///   - store: the trace store to use; nil opens the one `configuration.store.url` names.
///   - writer: batching settings for the trace writer.
///   - logger: the logger for the server and its services.
public func buildApplication(
    configuration: LoupeConfiguration,
    store: (any TraceStore)? = nil,
    writer: TraceWriter.Configuration = .init(),
    queueCapacity: Int = 65_536,
    logger: Logger = Logger(label: "loupe")
) async throws -> some ApplicationProtocol {
    let store = try store ?? StoreFactory.open(url: configuration.store.url)
    try await store.migrate()

    var prices = PriceTable.builtIn
    if let file = configuration.pricingFile {
        prices = prices.merging(try PriceTable(contentsOf: file))
    }

    let queue = TraceQueue(capacity: queueCapacity)
    let traceWriter = TraceWriter(queue: queue, store: store, configuration: writer, logger: logger)
    let upstream = UpstreamClient()
    let recorder = TraceRecorder(queue: queue, prices: prices, maxBodyBytes: configuration.store.maxBodyBytes, logger: logger)

    let router = Router(context: BasicRequestContext.self)
    ProxyController<BasicRequestContext>(
        modelRouter: ModelRouter(configuration: configuration),
        client: upstream.http,
        recorder: recorder,
        maxBodyBytes: configuration.server.maxBodyBytes
    ).addRoutes(to: router)
    TraceController<BasicRequestContext>(store: store).addRoutes(to: router)
    HealthController<BasicRequestContext>(store: store, queue: queue).addRoutes(to: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "loupe"),
        logger: logger
    )
    // Services stop in reverse order: the server drains first, then the upstream client,
    // then the writer flushes every queued trace.
    app.addServices(traceWriter, upstream)
    return app
}
