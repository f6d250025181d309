import ArgumentParser
import Foundation
import LoupeCore
import LoupeServer

/// `loupe traces list|show`: read recorded calls from the store.
struct TracesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "List and show recorded calls.",
        subcommands: [List.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List traces, newest first.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this model (as requested).") var model: String?
        @Option(help: "Only this provider.") var provider: String?
        @Option(help: "Only this user.") var user: String?
        @Option(help: "Only this session id.") var session: String?
        @Option(help: "Only traces with this tag.") var tag: String?
        @Option(help: "Only this variant: champion or challenger (a split's side), or shadow.") var variant: String?
        @Option(help: "Only the traces made for this trace id: a call's shadow copies.") var parent: String?
        @Option(help: "true: only answers from the response cache; false: only calls that reached a provider.") var cacheHit: Bool?
        @Option(help: "ok, error, cancelled, an HTTP code such as 429, or a class such as 5xx.") var status: String?
        @Option(help: "From this time: ISO 8601, Unix seconds, or an age such as 24h or 7d.") var since: String?
        @Option(help: "Before this time, in the same forms as --since.") var until: String?
        @Option(help: "How many traces (1–1000).") var limit: Int = 20
        @Option(help: "Continue after a page: the next_cursor it printed.") var cursor: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            var query = TraceQuery(
                model: model, provider: provider, user: user, sessionID: session, tag: tag, variant: variant, parentTraceID: parent,
                cacheHit: cacheHit, limit: limit
            )
            if let status {
                guard let filter = TraceQuery.StatusFilter(status) else {
                    throw ValidationError("--status must be ok, error, cancelled, an HTTP code or a class such as 5xx")
                }
                query.status = filter
            }
            guard (1...TraceQuery.maxLimit).contains(limit) else { throw ValidationError("--limit must be from 1 to \(TraceQuery.maxLimit)") }
            query.since = try since.map { try TimeExpression.parse($0) }
            query.until = try until.map { try TimeExpression.parse($0) }
            if let cursor {
                guard let position = TraceCursor(token: cursor) else { throw ValidationError("--cursor is not a next_cursor that Loupe printed") }
                query.cursor = position
            }
            let finalQuery = query
            let page = try await withStore(options) { try await $0.traces(matching: finalQuery) }
            if json {
                try printJSON(page)
                return
            }
            let rows = page.traces.map { trace in
                [
                    trace.id, TimeExpression.iso8601(trace.createdAt), trace.endpoint, trace.model ?? "-", trace.status.rawValue,
                    String(trace.statusCode), format(trace.latencyMs), trace.usage.inputTokens.map(String.init) ?? "-",
                    trace.usage.outputTokens.map(String.init) ?? "-", trace.cost?.description ?? "-",
                ]
            }
            print(table(["ID", "CREATED", "ENDPOINT", "MODEL", "STATUS", "CODE", "LATENCY_MS", "IN", "OUT", "COST_USD"], rows))
            if let next = page.nextCursor { print("next page: --cursor \(next.token)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one trace in full, as JSON.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The trace id (the x-loupe-trace-id response header).") var id: String
        @Flag(help: "Print JSON (the default for show).") var json = false

        func run() async throws {
            let id = self.id
            guard let trace = try await withStore(options, { try await $0.trace(id: id) }) else {
                throw CommandFailure("no trace has the id '\(id)'")
            }
            try printJSON(trace, pretty: true)
        }
    }
}
