import ArgumentParser
import Foundation
import LoupeConfig
import LoupeCore
import LoupeServer

/// `loupe db`: schema migrations, retention and moving a store.
struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the store: migrate, status, prune, copy, rebuild-rollups.",
        subcommands: [Migrate.self, Status.self, Prune.self, Copy.self, RebuildRollups.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations to the store.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let applied = try await withStore(options, migrate: false) { store in
                let before = try await store.schemaStatus()
                try await store.migrate()
                return before.pending
            }
            print(applied.isEmpty ? "the schema is up to date" : "applied: \(applied.joined(separator: ", "))")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the store's schema version, pending migrations and size.")
        @OptionGroup var options: ConfigOptions
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let url = LoupeConfiguration.Store.redacted(url: try options.load().store.url)
            let (status, count) = try await withStore(options, migrate: false) { store in
                let status = try await store.schemaStatus()
                // A store not yet migrated has no traces table to count.
                return (status, status.applied.isEmpty ? 0 : try await store.count())
            }
            let state = !status.unknown.isEmpty ? "newer than this binary" : status.pending.isEmpty ? "up to date" : "migrations pending"
            if json {
                let value: JSONValue = .object([
                    "store": .string(url), "state": .string(state), "traces": .number(Double(count)),
                    "applied": .array(status.applied.map(JSONValue.string)),
                    "pending": .array(status.pending.map(JSONValue.string)),
                    "unknown": .array(status.unknown.map(JSONValue.string)),
                ])
                print(value.jsonText)
                return
            }
            print("store:   \(url)")
            print("schema:  \(state)")
            print("applied: \(status.applied.isEmpty ? "-" : status.applied.joined(separator: ", "))")
            if !status.pending.isEmpty { print("pending: \(status.pending.joined(separator: ", ")) (run `loupe db migrate`)") }
            if !status.unknown.isEmpty { print("unknown: \(status.unknown.joined(separator: ", ")) (migrated by a newer loupe)") }
            print("traces:  \(count)")
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete traces older than retention.days (or --older-than).")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Delete traces older than this age, such as 30d or 12h; defaults to retention.days from the config.")
        var olderThan: String?

        func run() async throws {
            let cutoff: Date
            if let olderThan {
                guard olderThan.last.map({ "smhdw".contains($0) }) == true else {
                    throw ValidationError("--older-than must be an age such as 30d, 12h or 2w")
                }
                cutoff = try TimeExpression.parse(olderThan)
            } else if let days = try options.load().retentionDays {
                cutoff = Date().addingTimeInterval(-Double(days) * 86_400)
            } else {
                throw CommandFailure("nothing to prune by: set retention.days in the config, or pass --older-than such as 30d")
            }
            let deleted = try await withStore(options) { try await $0.deleteTraces(createdBefore: cutoff) }
            print("deleted \(deleted) traces created before \(TimeExpression.iso8601(cutoff))")
        }
    }

    struct RebuildRollups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild-rollups",
            abstract: "Recompute the daily cost rollups that reports read from the stored traces."
        )
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await withStore(options) { try await $0.rebuildCostRollups() }
            print("rebuilt the cost rollups from the stored traces")
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every trace from one store to another, such as from SQLite to PostgreSQL.",
            discussion: "Traces already in the target are left as they are, so an interrupted copy can be run again."
        )
        @Option(help: "The store to read, such as sqlite:loupe-data/loupe.db.") var from: String
        @Option(help: "The store to write, such as postgres://loupe:secret@db:5432/loupe.") var to: String

        func run() async throws {
            let source = try StoreFactory.open(url: from, create: false, logger: quietLogger)
            let target = try StoreFactory.open(url: to, logger: quietLogger)
            let copied = try await source.withRunning { source in
                try await target.withRunning { target in
                    try await source.migrate()
                    try await target.migrate()
                    var query = TraceQuery(limit: TraceQuery.maxLimit)
                    var copied = 0
                    while true {
                        let page = try await source.traces(matching: query)
                        try await target.insert(page.traces)
                        copied += page.traces.count
                        guard let next = page.nextCursor else { return copied }
                        query.cursor = next
                    }
                }
            }
            print("copied \(copied) traces from \(LoupeConfiguration.Store.redacted(url: from)) to \(LoupeConfiguration.Store.redacted(url: to))")
        }
    }
}
