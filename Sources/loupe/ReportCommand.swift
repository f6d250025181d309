import ArgumentParser
import Foundation
import LoupeConfig
import LoupeCore
import LoupeServer

/// `loupe report cost|usage|latency|guardrails|compare`: spend grouped by one dimension, usage over time, latency
/// percentiles, guardrail findings, and two sides compared.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports over recorded calls.",
        subcommands: [Cost.self, Usage.self, Latency.self, Guardrails.self, Compare.self]
    )

    struct Cost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests, tokens, cost, errors and latency per group.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Group by: model, provider, user, day, tag, prompt or key.") var by: String = "model"
        @Option(help: "From this time: ISO 8601, Unix seconds, or an age such as 24h or 7d.") var since: String?
        @Option(help: "Before this time, in the same forms as --since.") var until: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            guard let dimension = CostDimension(rawValue: by) else {
                throw ValidationError("--by must be one of: \(CostDimension.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let query = CostReportQuery(
                groupBy: dimension,
                since: try since.map { try TimeExpression.parse($0) },
                until: try until.map { try TimeExpression.parse($0) }
            )
            let rows = try await withStore(options) { try await $0.costReport(query) }
            if json {
                let data: [[String: JSONValue]] = rows.map { row in
                    [
                        dimension.rawValue: row.key.map(JSONValue.string) ?? .null,
                        "requests": .number(Double(row.requests)),
                        "input_tokens": .number(Double(row.inputTokens)),
                        "output_tokens": .number(Double(row.outputTokens)),
                        "cost_usd": row.costUSD.map { .string("\($0)") } ?? .null,
                        "errors": .number(Double(row.errors)),
                        "p50_latency_ms": row.p50LatencyMs.map(JSONValue.number) ?? .null,
                        "p95_latency_ms": row.p95LatencyMs.map(JSONValue.number) ?? .null,
                    ]
                }
                try printJSON(["data": data])
                return
            }
            var total = Decimal(0)
            let body = rows.map { row in
                if let cost = row.costUSD { total += cost }
                return [
                    row.key ?? "(none)", String(row.requests), String(row.inputTokens), String(row.outputTokens),
                    row.costUSD.map { "\($0)" } ?? "-", String(row.errors),
                    row.p50LatencyMs.map(format) ?? "-", row.p95LatencyMs.map(format) ?? "-",
                ]
            }
            print(table([dimension.rawValue.uppercased(), "REQUESTS", "IN", "OUT", "COST_USD", "ERRORS", "P50_MS", "P95_MS"], body))
            print("total cost: \(total) USD")
        }
    }

    struct Guardrails: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Guardrail findings per direction, check, action and category.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "From this time: ISO 8601, Unix seconds, or an age such as 24h or 7d.") var since: String?
        @Option(help: "Before this time, in the same forms as --since.") var until: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let since = try since.map { try TimeExpression.parse($0) }
            let until = try until.map { try TimeExpression.parse($0) }
            let rows = try await withStore(options) { try await $0.guardrailReport(since: since, until: until) }
            if json {
                let data: [JSONValue] = rows.map { row in
                    .object([
                        "direction": .string(row.direction.rawValue), "check": .string(row.check), "action": .string(row.action.rawValue),
                        "category": .string(row.category), "calls": .number(Double(row.calls)), "hits": .number(Double(row.hits)),
                    ])
                }
                try printJSON(["data": JSONValue.array(data)])
                return
            }
            let body = rows.map { [$0.direction.rawValue, $0.check, $0.action.rawValue, $0.category, String($0.calls), String($0.hits)] }
            print(table(["DIRECTION", "CHECK", "ACTION", "CATEGORY", "CALLS", "HITS"], body))
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A shadow model against the calls it copied, a split's champion against its challenger, or two models.",
            discussion: "Pass one of --shadow MODEL, --split MODEL, or --a MODEL --b MODEL."
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The shadow model: each of its calls against the primary call it copied.") var shadow: String?
        @Option(help: "The model that splits its calls: its champion against its challenger.") var split: String?
        @Option(help: "The first of two models to compare.") var a: String?
        @Option(help: "The second of two models to compare.") var b: String?
        @Option(help: "From this time: ISO 8601, Unix seconds, or an age such as 24h or 7d.") var since: String?
        @Option(help: "Before this time, in the same forms as --since.") var until: String?
        @Flag(help: "Print JSON (as /api/reports/compare answers) instead of a table.") var json = false

        func validate() throws {
            let modes = [shadow != nil, split != nil, a != nil || b != nil].filter { $0 }.count
            guard modes == 1 else { throw ValidationError("pass exactly one of --shadow MODEL, --split MODEL, or --a MODEL --b MODEL") }
            guard (a == nil) == (b == nil) else { throw ValidationError("--a and --b go together: pass both") }
        }

        func run() async throws {
            let mode: ComparisonQuery.Mode
            if let shadow {
                mode = .shadow(model: shadow)
            } else if let split {
                // The configured split names each side's model; without it every champion and challenger call counts.
                let configured = try options.load().models[split]?.split
                mode = .split(model: split, champion: configured?.champion, challenger: configured?.challenger)
            } else {
                mode = .models(a: a ?? "", b: b ?? "")
            }
            let query = ComparisonQuery(
                mode: mode, since: try since.map { try TimeExpression.parse($0) }, until: try until.map { try TimeExpression.parse($0) }
            )
            let report = try await withStore(options) { try await ComparisonReporter(store: $0).report(query) }
            if json {
                try printJSON(report)
                return
            }
            print(Self.render(report))
        }

        /// The two sides as columns, one figure a row, then the deltas and the eval scores.
        static func render(_ report: ComparisonReport) -> String {
            let names = report.query.sideNames
            func row(_ label: String, _ value: (ComparisonSide) -> String) -> [String] {
                [label] + report.sides.map(value)
            }
            func cost(_ value: Decimal?) -> String { value.map { "\($0)" } ?? "-" }
            func millis(_ value: Double?) -> String { value.map(format) ?? "-" }
            let rows = [
                row("models") { $0.models.isEmpty ? "-" : $0.models.joined(separator: ", ") },
                row("requests") { String($0.requests) },
                row("errors") { side in side.errorRate.map { "\(side.errors) (\(String(format: "%.1f", $0 * 100))%)" } ?? "0" },
                row("cache hits") { String($0.cacheHits) },
                row("cost_usd") { cost($0.costUSD) },
                row("mean cost_usd") { cost($0.meanCostUSD) },
                row("input tokens") { String($0.inputTokens) },
                row("output tokens") { String($0.outputTokens) },
                row("p50 latency ms") { millis($0.p50LatencyMs) },
                row("p95 latency ms") { millis($0.p95LatencyMs) },
                row("p50 ttft ms") { millis($0.p50TtftMs) },
            ]
            var lines = [table([""] + names.map { $0.uppercased() }, rows)]
            if let pairs = report.pairs { lines.append("pairs: \(pairs)") }
            lines.append("cost delta (\(names[1]) − \(names[0])): \(cost(report.costDeltaUSD)) USD, per call \(cost(report.meanCostDeltaUSD)) USD")
            if report.capped { lines.append("capped: only the newest \(report.query.maxRows) calls of a side were read; narrow --since/--until") }
            let scores = zip(names, report.evals).flatMap { name, scores in
                scores.map { [name, $0.model, $0.suite, $0.prompt ?? "-", $0.passRate.map { String(format: "%.3f", $0) } ?? "-", $0.meanScore.map { String(format: "%.3f", $0) } ?? "-", $0.runID] }
            }
            if !scores.isEmpty {
                lines.append("")
                lines.append(table(["SIDE", "MODEL", "SUITE", "PROMPT", "PASS_RATE", "MEAN_SCORE", "RUN"], scores))
            }
            return lines.joined(separator: "\n")
        }
    }
}
