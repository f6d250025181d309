import LoupeCore
import Prometheus
import Synchronization

/// Loupe's Prometheus metrics, counted from every recorded call. Labels are bounded: models, providers and
/// endpoints are capped (later ones count as `other`), and no user, key or trace id is ever a label.
final class LoupeMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let models: LabelLimiter
    private let providers: LabelLimiter
    private let endpoints: LabelLimiter
    private let checks: LabelLimiter

    /// Seconds; calls through a model range from milliseconds (cache hits) to minutes (long streams).
    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
    /// Seconds; Loupe's own time per call should stay within a few milliseconds.
    static let overheadBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), maxModels: Int = 200, maxProviders: Int = 50, maxEndpoints: Int = 50) {
        self.registry = registry
        models = LabelLimiter(limit: maxModels)
        providers = LabelLimiter(limit: maxProviders)
        endpoints = LabelLimiter(limit: maxEndpoints)
        checks = LabelLimiter(limit: 100)
        // The one family without labels is declared up front, so a scrape before any traffic shows it.
        overheadSeries = registry.makeValueHistogram(descriptor: Self.overhead, labels: [], buckets: Self.overheadBuckets)
        relayed = registry.makeCounter(descriptor: Self.relayedDescriptor)
    }

    private let overheadSeries: ValueHistogram

    /// The series each kind of call counts into, by the model, provider, endpoint and status it carried. A call then
    /// looks up one key instead of a series for each family, which built and hashed label arrays every time.
    /// Bounded: past `maxCallKinds` (a flood of made-up model names, say), calls take the slower lookup.
    private let callKinds = Mutex<[CallKind: CallSeries]>([:])
    private static let maxCallKinds = 1024

    private struct CallKind: Hashable {
        var model: String?
        var provider: String?
        var endpoint: String
        var status: TraceStatus
    }

    /// One kind of call's series; those that not every call counts into are made on first use, so that /metrics
    /// shows only what has counted.
    private final class CallSeries: Sendable {
        let pair: [(String, String)]
        let requests: Counter
        let duration: ValueHistogram
        let later = Mutex(Later())

        struct Later {
            var upstream: ValueHistogram?
            var tokens: [Counter?] = Array(repeating: nil, count: LoupeMetrics.tokenTypes.count)
            var cost: Counter?
            var cacheHits: Counter?
        }

        init(pair: [(String, String)], requests: Counter, duration: ValueHistogram) {
            self.pair = pair
            self.requests = requests
            self.duration = duration
        }
    }

    private func series(of trace: Trace) -> CallSeries {
        let kind = CallKind(model: trace.model, provider: trace.provider, endpoint: trace.endpoint, status: trace.status)
        if let found = callKinds.withLock({ $0[kind] }) { return found }
        // A value's label never changes once given (see LabelLimiter), so the series can be kept by the value.
        let pair = [("model", models.label(trace.model)), ("provider", providers.label(trace.provider))]
        let made = CallSeries(
            pair: pair,
            requests: counter(Self.requests, pair + [("endpoint", endpoints.label(trace.endpoint)), ("status", trace.status.rawValue)]),
            duration: histogram(Self.duration, pair, buckets: Self.durationBuckets)
        )
        callKinds.withLock { if $0.count < Self.maxCallKinds { $0[kind] = made } }
        return made
    }

    /// The `type` label of each token count, in `TokenUsage`'s order as `record` reads them.
    static let tokenTypes = ["input", "output", "cached_input", "cache_write_input", "reasoning"]

    /// The series already made, by family and label values. The registry checks every name and label again on each
    /// lookup, which was a tenth of a relayed call's time; this is one hash. Bounded, as the label values are.
    private let counters = Mutex<[SeriesKey: Counter]>([:])
    private let histograms = Mutex<[SeriesKey: ValueHistogram]>([:])

    private struct SeriesKey: Hashable {
        var family: String
        var values: [String]
    }

    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Counter {
        Self.series(descriptor, labels, in: counters) { registry.makeCounter(descriptor: descriptor, labels: labels) }
    }

    private func histogram(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)], buckets: [Double]) -> ValueHistogram {
        Self.series(descriptor, labels, in: histograms) { registry.makeValueHistogram(descriptor: descriptor, labels: labels, buckets: buckets) }
    }

    /// The cached series of `descriptor` with these labels, made by `make` the first time.
    private static func series<Metric: Sendable>(
        _ descriptor: MetricNameDescriptor, _ labels: [(String, String)], in cache: borrowing Mutex<[SeriesKey: Metric]>, make: () -> Metric
    ) -> Metric {
        let key = SeriesKey(family: descriptor.metricName, values: labels.map(\.1))
        if let found = cache.withLock({ $0[key] }) { return found }
        let made = make()
        cache.withLock { $0[key] = made }
        return made
    }

    private let relayed: Counter

    /// Counts a call the relay answers on the event loop (the rest go through the routes).
    func countRelayed() { relayed.increment() }

    // Computed: MetricNameDescriptor is not Sendable, so it cannot be a stored static.
    static var requests: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_requests", unitName: "total", helpText: "Calls through the proxy, by model, provider, endpoint and outcome (ok, error, cancelled).") }
    static var duration: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_request_duration", unitName: "seconds", helpText: "Time from a call's arrival to its last byte, by model and provider.") }
    static var upstream: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_upstream_duration", unitName: "seconds", helpText: "Time the providers took: every try, from sending the request to the answer's last byte.") }
    static var overhead: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_overhead_duration", unitName: "seconds", helpText: "Loupe's own time per forwarded call: total minus upstream (parsing, routing, guardrails, retry waits).") }
    static var tokens: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_tokens", unitName: "total", helpText: "Tokens by model, provider and type (input, output, cached_input, cache_write_input, reasoning).") }
    static var cost: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_cost_usd", unitName: "total", helpText: "Cost in US dollars of the calls with a known price, by model and provider.") }
    static var errors: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_errors", unitName: "total", helpText: "Failed calls by type: Loupe's error code, or upstream_4xx, upstream_5xx, stream_cut.") }
    static var guardrailHits: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_guardrail_hits", unitName: "total", helpText: "Guardrail findings on calls, by check, action and direction.") }
    static var relayedDescriptor: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_relayed_requests", unitName: "total", helpText: "Calls the relay answered on the event loop; the others took the routes' async path.") }
    static var cacheHits: MetricNameDescriptor { MetricNameDescriptor(metricName: "loupe_cache_hits", unitName: "total", helpText: "Calls answered from the response cache, by model.") }

    /// Counts one recorded call. `upstreamMs` is the providers' time when the call was forwarded; `errorCode`
    /// the code Loupe answered with when it failed the call itself.
    func record(_ trace: Trace, upstreamMs: Double?, errorCode: String?) {
        let series = series(of: trace)
        series.requests.increment()
        series.duration.record(trace.latencyMs / 1000)
        if let upstreamMs { overheadSeries.record(max(0, trace.latencyMs - upstreamMs) / 1000) }
        let usage = trace.usage
        let tokens = (usage.inputTokens, usage.outputTokens, usage.cachedInputTokens, usage.cacheWriteInputTokens, usage.reasoningTokens)
        let pair = series.pair
        series.later.withLock { later in
            if let upstreamMs {
                if later.upstream == nil { later.upstream = histogram(Self.upstream, pair, buckets: Self.durationBuckets) }
                later.upstream?.record(upstreamMs / 1000)
            }
            func count(_ index: Int, _ tokens: Int?) {
                guard let tokens, tokens > 0 else { return }
                if later.tokens[index] == nil { later.tokens[index] = counter(Self.tokens, pair + [("type", Self.tokenTypes[index])]) }
                later.tokens[index]?.increment(by: Int64(tokens))
            }
            count(0, tokens.0)
            count(1, tokens.1)
            count(2, tokens.2)
            count(3, tokens.3)
            count(4, tokens.4)
            if let cost = trace.cost {
                if later.cost == nil { later.cost = counter(Self.cost, pair) }
                later.cost?.increment(by: Double(cost.picos) / Double(USD.picosPerDollar))
            }
            if trace.cacheHit {
                if later.cacheHits == nil { later.cacheHits = counter(Self.cacheHits, [pair[0]]) }
                later.cacheHits?.increment()
            }
        }
        if let type = Self.errorType(trace, errorCode: errorCode) {
            counter(Self.errors, [("type", type)]).increment()
        }
        for result in trace.guardrails {
            counter(Self.guardrailHits, [
                ("check", checks.label(result.check)), ("action", result.action.rawValue), ("direction", result.direction.rawValue),
            ]).increment()
        }
    }

    /// The `type` label of a failed call; nil for a call that did not fail. Only a fixed set of values is possible.
    static func errorType(_ trace: Trace, errorCode: String?) -> String? {
        guard trace.status == .error else { return nil }
        if let errorCode { return loupeErrorTypes[errorCode] ?? "other" }
        if trace.guardrails.contains(where: { $0.action == .block }) { return "guardrail_violation" }
        switch trace.statusCode {
        case 200..<300: return trace.stream ? "stream_cut" : "upstream_error"
        case 400..<500: return "upstream_4xx"
        case 500..<600: return "upstream_5xx"
        default: return "upstream_error"
        }
    }

    /// Loupe's own error codes and the type each counts as.
    static let loupeErrorTypes: [String: String] = {
        var types: [String: String] = [:]
        for code in [
            "upstream_timeout", "upstream_unreachable", "upstream_bad_response", "rate_limit_exceeded", "budget_exceeded",
            "guardrail_violation", "model_not_found", "model_not_allowed", "no_provider", "request_too_large", "client_closed",
        ] { types[code] = code }
        types["body_too_large"] = "request_too_large"
        for code in ["invalid_api_key", "missing_api_key"] { types[code] = "unauthorized" }
        for code in [
            "invalid_json", "missing_model", "invalid_type", "invalid_parameter", "invalid_header", "invalid_metadata", "invalid_body",
            "missing_variables", "invalid_prompt", "prompt_not_found", "unsupported_endpoint", "unsupported_for_provider",
        ] { types[code] = "invalid_request" }
        for code in ["prompt_registry_unavailable", "store_unavailable"] { types[code] = "loupe_unavailable" }
        return types
    }()
}
