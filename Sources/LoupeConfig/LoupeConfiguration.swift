import Foundation
import LoupeGuardrails

/// Everything `loupe serve` needs to run, after defaults, the config file and flags are applied.
public struct LoupeConfiguration: Sendable, Equatable {
    public var server: Server
    public var store: Store
    /// Upstream providers by name.
    public var providers: [String: Provider]
    /// Model names that clients send, mapped to a provider and an upstream model.
    public var models: [String: Model]
    /// Where models not listed in `models` go; nil makes them unknown (404).
    public var defaultProvider: String?
    /// An optional price file that extends or overrides the built-in table.
    public var pricingFile: String?
    /// Traces older than this many days are deleted by `loupe db prune`; nil keeps everything.
    public var retentionDays: Int?
    /// The config file these settings came from, if any.
    public var sourceFile: String?
    /// Guardrail policies and where they apply; empty checks nothing.
    public var guardrails: GuardrailsSpec
    /// The admin key; when set, `/v1` needs a virtual key and `/api` the master key or a key with `read`.
    public var masterKey: String?
    /// A spending limit that every user (`X-Loupe-User`, or the body's `user`) has on their own; nil is none.
    public var userBudget: Budget?
    /// The exact-match response cache: its default lifetime and its size.
    public var cache = ResponseCache()
    /// OpenTelemetry export of every proxied call as a GenAI span; off until `otlp_endpoint` is set.
    public var telemetry = Telemetry()

    /// Settings of the response cache, which models opt into with `cache` and requests with `X-Loupe-Cache: true`.
    public struct ResponseCache: Sendable, Equatable {
        /// How long an answer is kept when neither the model nor the request says.
        public var ttlSeconds = 3600
        /// The most bytes of answers kept; the least recently used go first.
        public var maxBytes = 256 << 20

        public init() {}
    }

    /// The shortest master key accepted: 32 characters, as LiteLLM and Portkey generate them.
    public static let minimumMasterKeyLength = 32

    /// A spending limit in US dollars per UTC day or calendar month.
    public struct Budget: Sendable, Equatable {
        public var usd: USDAmount
        public var period: Period

        public enum Period: String, Sendable, Equatable, CaseIterable { case day, month }

        public init(usd: USDAmount, period: Period) {
            self.usd = usd
            self.period = period
        }
    }

    /// A dollar amount as written in the config, exact.
    public typealias USDAmount = Decimal

    public init(
        server: Server = Server(),
        store: Store = Store(),
        providers: [String: Provider] = ["openai": .openAIDefault(apiKey: nil)],
        models: [String: Model] = [:],
        defaultProvider: String? = "openai",
        pricingFile: String? = nil,
        retentionDays: Int? = nil,
        sourceFile: String? = nil,
        guardrails: GuardrailsSpec = GuardrailsSpec(),
        masterKey: String? = nil,
        userBudget: Budget? = nil
    ) {
        self.server = server
        self.store = store
        self.providers = providers
        self.models = models
        self.defaultProvider = defaultProvider
        self.pricingFile = pricingFile
        self.retentionDays = retentionDays
        self.sourceFile = sourceFile
        self.guardrails = guardrails
        self.masterKey = masterKey
        self.userBudget = userBudget
    }

    /// The listening socket and request limits.
    public struct Server: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// Requests with a larger body get 413.
        public var maxBodyBytes: Int

        /// Listen beyond loopback although auth is off (`--insecure-public`).
        public var insecurePublic = false
        /// Traces waiting to be written (queued and spooled) beyond which `/readyz` says not ready.
        public var maxBacklog = 100_000
        /// Answer the common `/v1` calls on the event loop (the relay); false sends every call through the routes.
        public var relay = true

        public init(host: String = "127.0.0.1", port: Int = 4000, maxBodyBytes: Int = 32 * 1024 * 1024) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// Where traces are kept.
    public struct Store: Sendable, Equatable {
        /// `sqlite:PATH` (relative to the working directory) or `postgres://user:pass@host:port/db`.
        public var url: String
        /// Request and response bodies are stored up to this many bytes and marked truncated beyond.
        public var maxBodyBytes: Int
        /// The spool file for traces the store cannot take yet; nil means `loupe-data/spool/traces-PORT.spool`.
        public var spoolPath: String?
        /// Where MLflow artifacts are kept; nil means an `artifacts` folder beside the SQLite file, or `loupe-data/artifacts`.
        public var artifactsPath: String?

        public init(url: String = "sqlite:loupe-data/loupe.db", maxBodyBytes: Int = 1024 * 1024, spoolPath: String? = nil, artifactsPath: String? = nil) {
            self.url = url
            self.maxBodyBytes = maxBodyBytes
            self.spoolPath = spoolPath
            self.artifactsPath = artifactsPath
        }

        /// The artifacts folder to use: `artifactsPath`, else beside the SQLite file, else `loupe-data/artifacts`.
        public var resolvedArtifactsPath: String {
            artifactsPath ?? dataDirectory + "/artifacts"
        }

        /// Where files beside the store go: the SQLite file's folder, else `loupe-data`.
        public var dataDirectory: String {
            if url.hasPrefix("sqlite:") {
                let file = String(url.dropFirst("sqlite:".count))
                let directory = (file as NSString).deletingLastPathComponent
                return directory.isEmpty ? "." : directory
            }
            return "loupe-data"
        }

        /// True for the URL schemes Loupe has a store for.
        public static func isSupported(url: String) -> Bool {
            url.hasPrefix("sqlite:") || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
        }

        /// The URL with any password replaced, for messages and logs.
        public static func redacted(url: String) -> String {
            guard let schemeEnd = url.firstRange(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else { return url }
            let credentials = url[schemeEnd.upperBound..<at]
            guard let colon = credentials.firstIndex(of: ":") else { return url }
            return String(url[..<colon]) + ":***" + String(url[at...])
        }
    }

    /// An upstream that speaks a provider's wire format.
    public struct Provider: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable { case openai, anthropic }

        public var kind: Kind
        /// Such as `https://api.openai.com/v1` or `https://api.anthropic.com/v1`; request paths after `/v1` are appended.
        public var baseURL: String
        /// Sent as `Authorization: Bearer …` (Anthropic: `x-api-key`); nil or empty sends none.
        public var apiKey: String?
        /// How long to wait for the upstream before answering 504.
        public var timeoutMs: Int
        /// A PEM file of CA certificates trusted for this provider besides the system's (a private CA).
        public var caFile: String?

        public init(kind: Kind = .openai, baseURL: String, apiKey: String? = nil, timeoutMs: Int = 600_000, caFile: String? = nil) {
            self.kind = kind
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.timeoutMs = timeoutMs
            self.caFile = caFile
        }

        /// OpenAI's public API.
        public static func openAIDefault(apiKey: String?) -> Provider {
            Provider(baseURL: "https://api.openai.com/v1", apiKey: apiKey)
        }
    }

    /// A model name that clients send: where its calls go, how they are retried, split, shadowed and cached.
    public struct Model: Sendable, Equatable {
        /// Where calls go, chosen by weight; the others are the fallbacks. Empty for a model that only splits.
        public var deployments: [Deployment]
        /// How long each attempt may take; nil uses the provider's timeout.
        public var timeoutMs: Int?
        /// How many more times a failing deployment is tried before the next one.
        public var retries: Int
        /// Requests and tokens per minute for the model, across all keys; nil is no limit.
        public var rpm: Int?
        public var tpm: Int?
        /// Sends a share of the calls to a challenger model.
        public var split: Split?
        /// Sends a copy of each call to another model, off the response path.
        public var shadow: Shadow?
        /// Answers repeated identical requests from the response cache for this long.
        public var cacheTTLSeconds: Int?

        /// Retries per deployment when the config does not say: none, so that a lone provider's errors reach the
        /// SDK unchanged and its own retry logic (which honours Retry-After) decides, as through a plain proxy.
        public static let defaultRetries = 0

        public init(
            deployments: [Deployment], timeoutMs: Int? = nil, retries: Int = Model.defaultRetries, rpm: Int? = nil, tpm: Int? = nil,
            split: Split? = nil, shadow: Shadow? = nil, cacheTTLSeconds: Int? = nil
        ) {
            self.deployments = deployments
            self.timeoutMs = timeoutMs
            self.retries = retries
            self.rpm = rpm
            self.tpm = tpm
            self.split = split
            self.shadow = shadow
            self.cacheTTLSeconds = cacheTTLSeconds
        }

        /// A model served by one provider, under `upstreamModel` when given.
        public init(provider: String, upstreamModel: String? = nil, rpm: Int? = nil, tpm: Int? = nil) {
            self.init(deployments: [Deployment(provider: provider, upstreamModel: upstreamModel)], rpm: rpm, tpm: tpm)
        }

        /// The first deployment's provider, which `/v1/models` shows as the owner.
        public var provider: String? { deployments.first?.provider }
    }

    /// One provider and upstream model that serves a model name.
    public struct Deployment: Sendable, Equatable {
        public var provider: String
        /// The name sent upstream; nil sends the client's name unchanged.
        public var upstreamModel: String?
        /// Its share of the calls relative to the other deployments.
        public var weight: Int

        public init(provider: String, upstreamModel: String? = nil, weight: Int = 1) {
            self.provider = provider
            self.upstreamModel = upstreamModel
            self.weight = weight
        }
    }

    /// A champion/challenger split: `percent` of the calls go to the challenger.
    public struct Split: Sendable, Equatable {
        public var champion: String
        public var challenger: String
        public var percent: Double
        /// What keeps a caller on one side: the user, the API key, or nothing (each call is drawn anew).
        public var sticky: Sticky

        public enum Sticky: String, Sendable, Equatable, CaseIterable { case user, key, none }

        public init(champion: String, challenger: String, percent: Double, sticky: Sticky = .user) {
            self.champion = champion
            self.challenger = challenger
            self.percent = percent
            self.sticky = sticky
        }
    }

    /// A shadow model that gets a copy of `percent` of the calls; its answers are recorded, never returned.
    public struct Shadow: Sendable, Equatable {
        public var model: String
        public var percent: Double

        public init(model: String, percent: Double = 100) {
            self.model = model
            self.percent = percent
        }
    }
}
