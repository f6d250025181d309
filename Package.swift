// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "loupe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loupe", targets: ["loupe"]),
        .library(name: "LoupeServer", targets: ["LoupeServer"]),
        .library(name: "LoupeTestSupport", targets: ["LoupeTestSupport"]),
        .executable(name: "loupe-fake-upstream", targets: ["loupe-fake-upstream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Domain values, store protocols and errors. No I/O.
        .target(
            name: "LoupeCore",
            swiftSettings: swiftSettings
        ),
        // Prompt templates: parsing prompt files, Mustache rendering, content hashes.
        .target(
            name: "LoupePrompts",
            dependencies: [
                "LoupeCore",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Guardrail checks (PII, secrets, injection, patterns, JSON) and policies: pure, deterministic, linear-time.
        .target(
            name: "LoupeGuardrails",
            dependencies: ["LoupeCore"],
            swiftSettings: swiftSettings
        ),
        // Eval suites and datasets, assertions and their scores, the runner and its reports. No server.
        .target(
            name: "LoupeEvals",
            dependencies: [
                "LoupeCore",
                "LoupeConfig",
                "LoupePrompts",
                "LoupeGuardrails",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Built-in price table (a data file embedded at build time) and cost arithmetic.
        .target(
            name: "LoupePricing",
            dependencies: ["LoupeCore"],
            exclude: ["prices.json"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedPriceTable"]
        ),
        // YAML configuration: parsing, `${ENV}` interpolation, validation with line numbers.
        .target(
            name: "LoupeConfig",
            dependencies: [
                "LoupeCore",
                "LoupeGuardrails",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded store: SQLite through GRDB.
        .target(
            name: "LoupeSQLite",
            dependencies: [
                "LoupeCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, to bind trace rows without boxing each value (see SQLiteRowBinder).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The shared store: PostgreSQL through PostgresNIO, for several instances.
        .target(
            name: "LoupePostgres",
            dependencies: [
                "LoupeCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Batching trace writer that keeps the store off the request path.
        .target(
            name: "LoupeRecorder",
            dependencies: [
                "LoupeCore",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Provider wire formats: SSE parsing, usage extraction, stream assembly.
        .target(
            name: "LoupeProxy",
            dependencies: [
                "LoupeCore",
                "LoupePricing",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The system zlib, for gzip-encoded OTLP requests.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // OpenTelemetry wire formats without networking: OTLP protobuf and JSON decoding, span export encoding,
        // GenAI span mapping, traceparent. Hand-written protobuf for the few messages needed: no codegen, no package.
        .target(
            name: "LoupeOTel",
            dependencies: ["LoupeCore", "CZlib"],
            swiftSettings: swiftSettings
        ),
        // Hummingbird application: routes, upstream client, services.
        .target(
            name: "LoupeServer",
            dependencies: [
                "LoupeCore",
                "LoupeOTel",
                "LoupePricing",
                "LoupeConfig",
                "LoupeSQLite",
                "LoupePostgres",
                "LoupeRecorder",
                "LoupeProxy",
                "LoupePrompts",
                "LoupeEvals",
                "LoupeGuardrails",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `loupe` command: a thin layer over the libraries.
        .executableTarget(
            name: "loupe",
            dependencies: [
                "LoupeServer",
                "LoupeConfig",
                "LoupeCore",
                "LoupePrompts",
                "LoupeGuardrails",
                "LoupeEvals",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // A fake OpenAI upstream and helpers that tests and benchmarks start.
        .target(
            name: "LoupeTestSupport",
            dependencies: [
                "LoupeCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "loupe-fake-upstream",
            dependencies: [
                "LoupeTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The floor of a hand-written NIO relay, for comparison in Benchmarks/proxy/run.
        .executableTarget(
            name: "loupe-nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/NIOFloor",
            swiftSettings: swiftSettings
        ),
        // Ingest and report benchmarks for both stores, run by Benchmarks/store/run.
        .executableTarget(
            name: "loupe-store-bench",
            dependencies: [
                "LoupeCore",
                "LoupeRecorder",
                "LoupeServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/StoreBench",
            swiftSettings: swiftSettings
        ),
        // Build tool that turns `prices.json` into Swift source, so the binary carries its table.
        .executableTarget(
            name: "EmbedResource",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedPriceTable",
            capability: .buildTool(),
            dependencies: ["EmbedResource"],
            path: "Sources/EmbedPriceTable"
        ),
        .testTarget(
            name: "LoupeCoreTests",
            dependencies: ["LoupeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupePromptsTests",
            dependencies: ["LoupePrompts", "LoupeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeGuardrailsTests",
            dependencies: ["LoupeGuardrails", "LoupeCore"],
            exclude: ["Corpus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupePricingTests",
            dependencies: ["LoupePricing", "LoupeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeConfigTests",
            dependencies: ["LoupeConfig", "LoupeGuardrails", "LoupeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeEvalsTests",
            dependencies: ["LoupeEvals", "LoupeGuardrails", "LoupeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeSQLiteTests",
            dependencies: ["LoupeSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // One behavioural suite for every TraceStore backend, run against SQLite and PostgreSQL.
        .testTarget(
            name: "LoupeStoreTests",
            dependencies: [
                "LoupeCore",
                "LoupeSQLite",
                "LoupePostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeRecorderTests",
            dependencies: [
                "LoupeRecorder",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeOTelTests",
            dependencies: ["LoupeOTel", "LoupeCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeProxyTests",
            dependencies: ["LoupeProxy", "LoupeCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The fake upstream itself, on a real socket: its Anthropic route.
        .testTarget(
            name: "LoupeTestSupportTests",
            dependencies: [
                "LoupeTestSupport",
                "LoupeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // End to end with real processes: several instances, store outages, signals and crashes.
        .testTarget(
            name: "LoupeProcessTests",
            dependencies: [
                "LoupeCore",
                "LoupeSQLite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoupeServerTests",
            dependencies: [
                "LoupeServer",
                "LoupeTestSupport",
                "LoupeConfig",
                "LoupeOTel",
                "LoupeCore",
                "LoupeSQLite",
                "LoupeEvals",
                "LoupePrompts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Micro-benchmarks (ordo-one/benchmark) are declared only when LOUPE_BENCHMARKS is set, so the
// test build does not compile the benchmark harness. Run them with:
//   LOUPE_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark --target HotPath
if ProcessInfo.processInfo.environment["LOUPE_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "HotPath",
            dependencies: [
                "LoupeCore", "LoupePricing", "LoupeProxy", "LoupePrompts", "LoupeGuardrails",
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HotPath",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    )
}
