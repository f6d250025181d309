import ArgumentParser
import Foundation
import LoupeCore

/// `loupe report cost`: spend grouped by one dimension.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports over recorded calls.",
        subcommands: [Cost.self, Guardrails.self]
    )

    struct Cost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests, tokens, cost, errors and latency per group.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Group by: model, provider, user, day or tag.") var by: String = "model"
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
}
