import ArgumentParser
import Foundation
import LoupeCore
import LoupeServer

extension ReportCommand {
    /// `loupe report usage`: requests, errors, tokens and cost per hour, day or week, optionally per group.
    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests, errors, tokens and cost per hour, day or week.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Bucket width: hour, day or week (weeks start on Monday, UTC).") var granularity: String = "day"
        @Option(help: "Also group by: model, provider, user, tag, prompt or key. Without it, one series of totals.") var by: String?
        @Option(help: "From this time: ISO 8601, Unix seconds, or an age such as 24h or 7d. Default: 24h for hours, 7d for days, 8w for weeks.") var since: String?
        @Option(help: "Before this time, in the same forms as --since. Default: now.") var until: String?
        @Flag(help: "Print JSON instead of a table.") var json = false
        @Flag(help: "Print CSV (RFC 4180) instead of a table.") var csv = false

        func run() async throws {
            guard let granularity = UsageGranularity(rawValue: granularity) else {
                throw ValidationError("--granularity must be hour, day or week")
            }
            var dimension: CostDimension?
            if let by {
                guard let parsed = CostDimension(rawValue: by), parsed != .day else {
                    throw ValidationError("--by must be one of: \(CostDimension.allCases.filter { $0 != .day }.map(\.rawValue).joined(separator: ", "))")
                }
                dimension = parsed
            }
            let until = try until.map { try TimeExpression.parse($0) } ?? Date()
            let since = try since.map { try TimeExpression.parse($0) } ?? UsageReportQuery.defaultSince(granularity, until: until)
            let query = UsageReportQuery(granularity: granularity, groupBy: dimension, since: since, until: until)
            guard !query.exceedsHourlyLimit else {
                throw ValidationError("an hourly series may span at most \(UsageReportQuery.maxHourlyDays) days: narrow --since/--until or use --granularity day")
            }
            let rows = try await withStore(options) { try await UsageReporter(store: $0).report(query) }
            if csv {
                print(ReportTables.usage(rows, groupBy: dimension).text, terminator: "")
                return
            }
            if json {
                let data: [JSONValue] = rows.map { row in
                    var item: [String: JSONValue] = [
                        "start": .string(TimeExpression.iso8601(row.start)), "requests": .number(Double(row.requests)),
                        "errors": .number(Double(row.errors)), "input_tokens": .number(Double(row.inputTokens)),
                        "output_tokens": .number(Double(row.outputTokens)), "cost_usd": row.costUSD.map { .string("\($0)") } ?? .null,
                    ]
                    if let dimension { item[dimension.rawValue] = row.key.map(JSONValue.string) ?? .null }
                    return .object(item)
                }
                try printJSON(["data": JSONValue.array(data)])
                return
            }
            let body = rows.map { row in
                [TimeExpression.iso8601(row.start)] + (dimension == nil ? [] : [row.key ?? "(none)"])
                    + [String(row.requests), String(row.errors), String(row.inputTokens), String(row.outputTokens), row.costUSD.map { "\($0)" } ?? "-"]
            }
            print(table(["START"] + (dimension.map { [$0.rawValue.uppercased()] } ?? []) + ["REQUESTS", "ERRORS", "IN", "OUT", "COST_USD"], body))
        }
    }

    /// `loupe report latency`: p50, p90, p95 and p99 per model (or another group).
    struct Latency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Latency percentiles (p50, p90, p95, p99) per model or other group.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Group by: model, provider, user, day, tag, prompt or key.") var by: String = "model"
        @Option(help: "From this time: ISO 8601, Unix seconds, or an age such as 24h or 7d.") var since: String?
        @Option(help: "Before this time, in the same forms as --since.") var until: String?
        @Flag(help: "Print JSON instead of a table.") var json = false
        @Flag(help: "Print CSV (RFC 4180) instead of a table.") var csv = false

        func run() async throws {
            guard let dimension = CostDimension(rawValue: by) else {
                throw ValidationError("--by must be one of: \(CostDimension.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let query = CostReportQuery(
                groupBy: dimension, since: try since.map { try TimeExpression.parse($0) }, until: try until.map { try TimeExpression.parse($0) }
            )
            let rows = try await withStore(options) { try await $0.costGroups(query) }.map(LatencyReportRow.init)
            if csv {
                print(ReportTables.latency(rows, dimension: dimension).text, terminator: "")
                return
            }
            if json {
                let data: [JSONValue] = rows.map { row in
                    .object([
                        dimension.rawValue: row.key.map(JSONValue.string) ?? .null, "requests": .number(Double(row.requests)),
                        "p50_latency_ms": row.p50LatencyMs.map(JSONValue.number) ?? .null, "p90_latency_ms": row.p90LatencyMs.map(JSONValue.number) ?? .null,
                        "p95_latency_ms": row.p95LatencyMs.map(JSONValue.number) ?? .null, "p99_latency_ms": row.p99LatencyMs.map(JSONValue.number) ?? .null,
                    ])
                }
                try printJSON(["data": JSONValue.array(data)])
                return
            }
            let body = rows.map { row in
                [row.key ?? "(none)", String(row.requests)] + [row.p50LatencyMs, row.p90LatencyMs, row.p95LatencyMs, row.p99LatencyMs].map { $0.map(format) ?? "-" }
            }
            print(table([dimension.rawValue.uppercased(), "REQUESTS", "P50_MS", "P90_MS", "P95_MS", "P99_MS"], body))
        }
    }
}
