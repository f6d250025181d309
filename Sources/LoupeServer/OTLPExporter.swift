import AsyncHTTPClient
import Foundation
import Logging
import LoupeConfig
import LoupeCore
import LoupeOTel
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Exports every proxied call as an OpenTelemetry GenAI span over OTLP/HTTP (protobuf), in batches.
///
/// `export` never waits: it appends to a bounded buffer (counting what a full buffer drops), and `run` sends
/// up to `maxBatch` spans at a time every `interval`, and whatever is left on graceful shutdown.
final class OTLPExporter: Service, Sendable {
    /// Batching settings.
    struct Configuration: Sendable {
        var maxBatch = 512
        var capacity = 8192
        var interval: Duration = .seconds(1)
        var timeout: TimeAmount = .seconds(10)
        /// More tries for a batch the collector could not take now (429, 502, 503, 504, no answer), as OTLP asks.
        var retries = 3
        /// Backoff between tries (1 s, 2 s, 4 s…) unless the collector's Retry-After says otherwise.
        var retry = RetryPolicy(baseDelay: .seconds(1), maxWait: .seconds(30))
    }

    private let telemetry: LoupeConfiguration.Telemetry
    private let endpoint: String
    private let client: HTTPClient
    private let configuration: Configuration
    private let logger: Logger
    private let buffer = Mutex<[Trace]>([])
    private let droppedCount = Atomic<Int>(0)
    private let exportedCount = Atomic<Int>(0)

    init(telemetry: LoupeConfiguration.Telemetry, endpoint: URL, client: HTTPClient, configuration: Configuration = .init(), logger: Logger) {
        self.telemetry = telemetry
        self.endpoint = endpoint.absoluteString
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    /// Spans dropped so far: a full buffer, or a collector that refused or did not answer.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }
    /// Spans the collector accepted so far.
    var exported: Int { exportedCount.load(ordering: .relaxed) }

    /// Queues `trace` for export; drops it, counted, when the buffer is full. Never blocks.
    func export(_ trace: Trace) {
        let kept = buffer.withLock { traces in
            guard traces.count < configuration.capacity else { return false }
            traces.append(trace)
            return true
        }
        if !kept { droppedCount.add(1, ordering: .relaxed) }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.interval) }
            await flush()
        }
        await flush()
    }

    /// Sends everything buffered, `maxBatch` spans per request.
    func flush() async {
        while true {
            let batch = buffer.withLock { traces in
                let batch = Array(traces.prefix(configuration.maxBatch))
                traces.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            await send(batch)
        }
    }

    private func send(_ traces: [Trace]) async {
        let spans = traces.map { $0.otelSpan(captureContent: telemetry.captureContent) }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-protobuf")
        for (name, value) in telemetry.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: OTLPExportRequest.protobuf(spans: spans, serviceName: telemetry.serviceName)))
        var attempt = 0
        while true {
            let failure: (detail: String, wait: Duration?)
            do {
                let response = try await client.execute(request, timeout: configuration.timeout)
                let body = try await response.body.collect(upTo: 1 << 20)
                if (200..<300).contains(response.status.code) {
                    let rejected = (try? OTLPResponse.partialSuccess(protobuf: Array(body.readableBytesView)))?.rejectedSpans ?? 0
                    exportedCount.add(spans.count - rejected, ordering: .relaxed)
                    droppedCount.add(rejected, ordering: .relaxed)
                    return
                }
                let detail = "HTTP \(response.status.code): \(String(buffer: body).prefix(300))"
                // Only these mean "later"; any other refusal would be refused again.
                let retryable = [429, 502, 503, 504].contains(response.status.code)
                failure = (detail, retryable ? configuration.retry.delay(retry: attempt, headers: response.headers) : nil)
            } catch {
                failure = ("\(error)", configuration.retry.delay(retry: attempt, headers: nil))
            }
            // At shutdown a batch gets one try: the process is on its way out.
            if let wait = failure.wait, attempt < configuration.retries, wait <= configuration.retry.maxWait, !Task.isShuttingDownGracefully {
                attempt += 1
                try? await Task.sleep(for: wait)
                continue
            }
            droppedCount.add(spans.count, ordering: .relaxed)
            logger.warning(
                "OTLP export failed; the batch of spans is dropped. Check telemetry.otlp_endpoint and that the collector is up",
                metadata: ["endpoint": "\(endpoint)", "error": "\(failure.detail)", "spans": "\(spans.count)", "tries": "\(attempt + 1)"]
            )
            return
        }
    }
}
