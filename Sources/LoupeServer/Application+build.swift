import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import LoupeConfig
import LoupeCore
import LoupeGuardrails
import LoupePricing
import LoupeRecorder
import NIOCore
import Prometheus
import Foundation

/// Builds the Loupe server: store, trace writer, upstream client and routes, ready to run.
///
/// - Parameters:
///   - configuration: resolved settings (defaults, config file and flags).
///   - store: the trace store to use; nil opens the one `configuration.store.url` names.
///   - migrate: apply pending migrations before serving; when false, a schema that is not current stops the start.
///   - writer: batching settings for the trace writer.
///   - logger: the logger for the server and its services.
///   - onServerRunning: called with the listening channel once the server accepts connections (its port, when 0 was asked for).
public func buildApplication(
    configuration: LoupeConfiguration,
    store: (any LoupeStore)? = nil,
    migrate: Bool = true,
    writer: TraceWriter.Configuration = .init(),
    queueCapacity: Int = 65_536,
    logger: Logger = Logger(label: "loupe"),
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let opened = try store.map { OpenedStore(store: $0, service: nil) } ?? StoreFactory.open(url: configuration.store.url, logger: logger)
    let store = opened.store

    var prices = PriceTable.builtIn
    if let file = configuration.pricingFile {
        prices = prices.merging(try PriceTable(contentsOf: file))
    }

    try ConfigLoader.validate(masterKey: configuration.masterKey, file: configuration.sourceFile, line: nil)
    // Without auth anyone who reaches the port can spend on the providers' keys: loopback only, unless told.
    if configuration.masterKey == nil, !configuration.server.insecurePublic, !isLoopback(configuration.server.host) {
        throw ConfigError(
            file: configuration.sourceFile, line: nil, key: "server.host",
            message: "'\(configuration.server.host)' is reachable from other machines, and auth is off: set auth.master_key (or LOUPE_MASTER_KEY) to require keys, "
                + "or pass --insecure-public to serve without them"
        )
    }
    let gateway = configuration.masterKey.map { Gateway(masterKey: $0, store: store, configuration: configuration) }

    // Everything that can fail is made before the upstream client, which must not be dropped unstarted.
    let guardrails = try GuardrailPolicySet(configuration.guardrails)
    let artifacts = ArtifactRoot(path: configuration.store.resolvedArtifactsPath)
    try FileManager.default.createDirectory(atPath: artifacts.path, withIntermediateDirectories: true)
    // The relay's provider connections; their TLS contexts (which read the system's trust roots) only when it runs.
    let relayOn = configuration.server.relay
    let pools = try UpstreamPools(origins: relayOn ? Relay.origins(of: configuration) : [:], configFile: configuration.sourceFile)

    let queue = TraceQueue(capacity: queueCapacity)
    let spool = try TraceSpool(path: configuration.store.spoolPath ?? defaultSpoolPath(port: configuration.server.port))
    let traceWriter = TraceWriter(queue: queue, store: store, spool: spool, configuration: writer, logger: logger)
    let upstream = UpstreamClient()
    // Every recorded trace is told to each observer: the gateway counts spend, the OTLP exporter queues a span.
    let exporter = configuration.telemetry.otlpEndpoint.map {
        OTLPExporter(telemetry: configuration.telemetry, endpoint: $0, client: upstream.http, logger: logger)
    }
    var observers: [@Sendable (Trace) -> Void] = []
    if let gateway { observers.append { trace in gateway.settle(trace) } }
    if let exporter { observers.append { trace in exporter.export(trace) } }
    let notify = observers
    var observer: (@Sendable (Trace) -> Void)?
    if !notify.isEmpty {
        observer = { @Sendable (trace: Trace) -> Void in
            for observe in notify { observe(trace) }
        }
    }
    let metrics = LoupeMetrics()
    let recorder = TraceRecorder(
        queue: queue, prices: prices, maxBodyBytes: configuration.store.maxBodyBytes, logger: logger, observer: observer, metrics: metrics
    )

    let prompts = PromptCache(store: store)

    let router = Router(context: BasicRequestContext.self)
    if let gateway { router.add(middleware: APIAuthMiddleware(gateway: gateway)) }
    var proxy = ProxyController<BasicRequestContext>(
        modelRouter: ModelRouter(configuration: configuration),
        client: upstream.http,
        recorder: recorder,
        prompts: prompts,
        guardrails: guardrails,
        maxBodyBytes: configuration.server.maxBodyBytes
    )
    proxy.gateway = gateway
    let shadows = ShadowQueue()
    proxy.shadows = shadows
    proxy.responseCache = ResponseCache(maxBytes: configuration.cache.maxBytes)
    proxy.cacheDefaultTTL = configuration.cache.ttlSeconds
    // OTLP ingest on /v1/traces: registered before the proxy's `v1/**` passthrough, which it must win over.
    OTelIngestController<BasicRequestContext>(
        store: store, recorder: recorder, gateway: gateway, maxBodyBytes: configuration.server.maxBodyBytes, logger: logger
    ).addRoutes(to: router)
    proxy.addRoutes(to: router)
    KeyController<BasicRequestContext>(store: store, gateway: gateway).addRoutes(to: router)
    GuardrailController<BasicRequestContext>(store: store, policies: guardrails, proxy: proxy).addRoutes(to: router)
    MLflowController<BasicRequestContext>(store: store, registry: store, loggedModels: store, logger: logger).addRoutes(to: router)
    MLflowArtifactsController<BasicRequestContext>(root: artifacts).addRoutes(to: router)
    TraceController<BasicRequestContext>(store: store, splits: configuration.models.compactMapValues(\.split)).addRoutes(to: router)
    EvalController<BasicRequestContext>(reader: EvalRunReader(store: store)).addRoutes(to: router)
    PromptController<BasicRequestContext>(store: store, cache: prompts).addRoutes(to: router)
    HealthController<BasicRequestContext>(store: store, queue: queue, spool: spool, maxBacklog: configuration.server.maxBacklog).addRoutes(to: router)
    MetricsController<BasicRequestContext>(registry: metrics.registry, queue: queue, spool: spool, exporter: exporter, shadows: shadows).addRoutes(to: router)
    DashboardController<BasicRequestContext>(store: store, gateway: gateway).addRoutes(to: router)

    // The relay answers the common `/v1` calls in Hummingbird's channel pipeline, in front of the routes.
    let relay = Relay(proxy: proxy, pools: pools, metrics: metrics)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: relayOn ? [RelayHandler(relay: relay)] : [])),
        configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "loupe"),
        onServerRunning: onServerRunning,
        logger: logger
    )
    // The store's connections must be up before the schema is checked, so this runs inside the service group.
    app.beforeServerStarts {
        if migrate {
            try await store.migrate()
        } else {
            let status = try await store.schemaStatus()
            guard status.unknown.isEmpty else { throw SchemaError.newerThanBinary(unknown: status.unknown) }
            guard status.pending.isEmpty else { throw SchemaError.pendingMigrations(status.pending) }
        }
    }
    // Services stop in reverse order: the server drains first, then the rate-limit sync publishes its last usage,
    // the shadow copies still queued are sent, the upstream client stops, the writer flushes every queued trace,
    // and last the store's connections close.
    if let storeService = opened.service { app.addServices(storeService) }
    app.addServices(traceWriter, upstream, pools, PromptCacheRefresher(cache: prompts, logger: logger))
    app.addServices(ShadowRunner(queue: shadows, send: { [proxy] job in await proxy.sendShadow(job) }))
    if let gateway { app.addServices(RateLimitSync(limiter: gateway.limiter, store: store, logger: logger)) }
    // After the upstream client, so it stops first and sends its last spans while the client is up.
    if let exporter { app.addServices(exporter) }
    return app
}

/// Each instance keeps its own spool, so two on one machine never share a file.
func defaultSpoolPath(port: Int) -> String {
    let name = port == 0 ? "traces-pid\(getpid()).spool" : "traces-\(port).spool"
    return "loupe-data/spool/" + name
}

/// True for addresses only this machine can reach.
func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
}
