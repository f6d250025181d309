import ArgumentParser
import Foundation
import LoupeCore
import LoupeServer

/// `loupe keys create|list|revoke|rotate`: virtual keys, straight in the store the config names.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Virtual keys for apps: each with its own models, budget and rate limits. Only a key's SHA-256 is stored.",
        subcommands: [Create.self, List.self, Revoke.self, Rotate.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key and print it once.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "A unique name; traces and reports name the key by it.") var name: String
        @Option(name: .customLong("budget-usd"), help: "Spend allowed per period, in US dollars.") var budgetUSD: String?
        @Option(help: "The budget's period: day or month (UTC).") var period = "month"
        @Option(help: "Requests per minute.") var rpm: Int?
        @Option(help: "Tokens per minute.") var tpm: Int?
        @Option(help: "Models the key may call, comma-separated (default: all).") var models: String?
        @Option(help: "When the key stops working: 30d, 12h, 90m, or an ISO 8601 time.") var expires: String?
        @Flag(help: "Also let the key read Loupe's /api (traces, reports), as a dashboard would.") var read = false

        func run() async throws {
            var fields: [String: JSONValue] = ["name": .string(name), "period": .string(period)]
            if let budgetUSD { fields["budget_usd"] = .string(budgetUSD) }
            if let rpm { fields["rpm"] = .number(Double(rpm)) }
            if let tpm { fields["tpm"] = .number(Double(tpm)) }
            if let models { fields["models"] = .string(models) }
            if let expires { fields["expires"] = .string(expires) }
            if read { fields["scopes"] = .array([.string("proxy"), .string("read")]) }
            let (key, secret): (VirtualKey, String)
            do {
                (key, secret) = try KeyRequest.newKey(fields)
            } catch {
                throw CommandFailure(error.message)
            }
            do {
                try await withStore(options, create: true) { try await $0.createKey(key) }
            } catch let error as KeyError {
                throw CommandFailure(error.description)
            }
            print("Created key '\(key.name)' (\(key.id)). It is shown only now; keep it secret:")
            print(secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every key with its limits and this period's spend.")

        @OptionGroup var options: ConfigOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let rows = try await withStore(options) { store in
                var rows: [(VirtualKey, USD)] = []
                for key in try await store.keys() {
                    rows.append((key, try await store.spend(keyID: key.id, since: key.budgetPeriod.start(of: Date()))))
                }
                return rows
            }
            if json { return try printJSON(rows.map { KeyView($0.0, spent: $0.1) }) }
            let now = Date()
            print(table(["ID", "NAME", "PREFIX", "STATUS", "SPENT", "BUDGET", "RPM", "TPM", "MODELS"], rows.map { key, spent in
                [
                    key.id, key.name, key.keyPrefix + "…", key.refusal(at: now) == nil ? "active" : (key.revokedAt != nil ? "revoked" : "expired"),
                    "$\(spent)", key.budget.map { "$\($0)/\(key.budgetPeriod.rawValue)" } ?? "-", key.rpm.map(String.init) ?? "-",
                    key.tpm.map(String.init) ?? "-", key.models.isEmpty ? "all" : key.models.joined(separator: ","),
                ]
            }))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a key at once (within 2 s on other instances).")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            let id = self.id
            guard let key = try await withStore(options, { try await $0.revokeKey(id: id, at: Date()) }) else { throw CommandFailure("no key has the id '\(id)'") }
            print("Revoked '\(key.name)' (\(key.id)).")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a key a new secret, keeping its name, limits and history; the old one stops working.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            let id = self.id
            let minted = KeyMint.mint()
            guard let key = try await withStore(options, { try await $0.rotateKey(id: id, hash: minted.hash, prefix: minted.prefix) }) else {
                throw CommandFailure("no key has the id '\(id)'")
            }
            print("Rotated '\(key.name)' (\(key.id)). The new key is shown only now:")
            print(minted.secret)
        }
    }
}
