import Foundation
import LoupeCore

/// Every report as a CSV table, for `?format=csv` and the CLI's `--csv`: the JSON answer's fields, in its order.
public enum ReportTables {
    /// `/api/reports/cost`: one row per group.
    public static func cost(_ rows: [CostReportRow], dimension: CostDimension) -> CSVWriter {
        var csv = CSVWriter(header: [dimension.rawValue, "requests", "input_tokens", "output_tokens", "cost_usd", "errors", "p50_latency_ms", "p95_latency_ms"])
        for row in rows {
            csv.row([
                row.key, String(row.requests), String(row.inputTokens), String(row.outputTokens), CSVWriter.number(row.costUSD),
                String(row.errors), CSVWriter.number(row.p50LatencyMs), CSVWriter.number(row.p95LatencyMs),
            ])
        }
        return csv
    }

    /// `/api/reports/guardrails`: one row per direction, check, action and category.
    public static func guardrails(_ rows: [GuardrailReportRow]) -> CSVWriter {
        var csv = CSVWriter(header: ["direction", "check", "action", "category", "calls", "hits"])
        for row in rows {
            csv.row([row.direction.rawValue, row.check, row.action.rawValue, row.category, String(row.calls), String(row.hits)])
        }
        return csv
    }

    /// `/api/reports/usage`: one row per bucket (and group), with the bucket's start in ISO 8601 UTC.
    public static func usage(_ rows: [UsageReportRow], groupBy: CostDimension?) -> CSVWriter {
        var csv = CSVWriter(header: ["start"] + (groupBy.map { [$0.rawValue] } ?? []) + ["requests", "errors", "input_tokens", "output_tokens", "cost_usd"])
        for row in rows {
            csv.row(
                [TimeExpression.iso8601(row.start)] + (groupBy == nil ? [] : [row.key])
                    + [String(row.requests), String(row.errors), String(row.inputTokens), String(row.outputTokens), CSVWriter.number(row.costUSD)]
            )
        }
        return csv
    }

    /// `/api/reports/latency`: one row per group.
    public static func latency(_ rows: [LatencyReportRow], dimension: CostDimension) -> CSVWriter {
        var csv = CSVWriter(header: [dimension.rawValue, "requests", "p50_latency_ms", "p90_latency_ms", "p95_latency_ms", "p99_latency_ms"])
        for row in rows {
            csv.row([
                row.key, String(row.requests), CSVWriter.number(row.p50LatencyMs), CSVWriter.number(row.p90LatencyMs),
                CSVWriter.number(row.p95LatencyMs), CSVWriter.number(row.p99LatencyMs),
            ])
        }
        return csv
    }

    /// `/api/reports/compare`: one row per side; models that answered a side are separated by spaces.
    public static func compare(_ report: ComparisonReport) -> CSVWriter {
        var csv = CSVWriter(header: [
            "side", "models", "requests", "errors", "error_rate", "cache_hits", "priced_requests", "cost_usd", "mean_cost_usd",
            "input_tokens", "output_tokens", "p50_latency_ms", "p95_latency_ms", "p50_ttft_ms",
        ])
        for (name, side) in zip(report.query.sideNames, report.sides) {
            csv.row([
                name, side.models.joined(separator: " "), String(side.requests), String(side.errors), CSVWriter.number(side.errorRate),
                String(side.cacheHits), String(side.pricedRequests), CSVWriter.number(side.costUSD), CSVWriter.number(side.meanCostUSD),
                String(side.inputTokens), String(side.outputTokens), CSVWriter.number(side.p50LatencyMs),
                CSVWriter.number(side.p95LatencyMs), CSVWriter.number(side.p50TtftMs),
            ])
        }
        return csv
    }
}
