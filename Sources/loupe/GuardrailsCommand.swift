import ArgumentParser
import Foundation
import LoupeConfig
import LoupeCore
import LoupeGuardrails

/// `loupe guardrails check`: runs a configured policy on a text, for scripts and CI.
struct GuardrailsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardrails",
        abstract: "Guardrail policies from the config.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a text against a policy: prints the redacted text, and exits 1 when the policy blocks it.",
            discussion: "llm_judge rules need a running server; here they count as failed checks and follow their on_error."
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The policy under guardrails.policies.") var policy = "default"
        @Option(help: "input (what goes to the provider) or output (what comes back).") var direction = "input"
        @Flag(help: "Print the results as JSON.") var json = false
        @Argument(help: "The text; omit it or give - to read standard input.") var text: String?

        func run() async throws {
            guard let direction = GuardrailResult.Direction(rawValue: direction) else {
                throw ValidationError("--direction must be input or output")
            }
            let spec = try options.load().guardrails
            let policies = try GuardrailPolicySet(spec)
            guard let selected = policies.policy(named: policy) else {
                let known = policies.names.isEmpty ? "the config defines none" : "expected one of: \(policies.names.joined(separator: ", "))"
                throw CommandFailure("no guardrail policy '\(policy)'; \(known)")
            }
            let input: String
            if let text, text != "-" {
                input = text
            } else {
                input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }
            let evaluation = await selected.evaluate([input], direction: direction, judge: nil)
            let shown = evaluation.block == nil ? evaluation.texts[0] : selected.maskedForRecord(evaluation.texts, direction: direction)[0]
            if json {
                var result: [String: JSONValue] = [
                    "passed": .bool(evaluation.block == nil), "results": .array(evaluation.results.map(\.json)), "text": .string(shown),
                ]
                if let block = evaluation.block { result["blocked_by"] = .object(["check": .string(block.check), "category": .string(block.category)]) }
                try printJSON(result)
            } else {
                print(shown)
                for result in evaluation.results {
                    FileHandle.standardError.write(Data("\(result.action.rawValue): \(result.check) found \(result.category) ×\(result.count)\n".utf8))
                }
                if let block = evaluation.block { FileHandle.standardError.write(Data("\(block)\n".utf8)) }
            }
            if evaluation.block != nil { throw ExitCode(1) }
        }
    }
}
