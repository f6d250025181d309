import ArgumentParser
import Foundation
import LoupeCore
import LoupePrompts

/// `loupe prompts`: push prompt files to the registry, and read, label, compare and render versions.
struct PromptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "Versioned prompt templates: push, list, show, label, diff, render.",
        subcommands: [Push.self, List.self, Show.self, Label.self, Diff.self, Render.self]
    )

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push every prompts/<name>.yaml; a prompt gets a new version only when its content changed.",
            discussion: "Labels in a file are placed when the prompt does not have them yet; after that, move them with `loupe prompts label`."
        )
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The folder of prompt files.") var directory = "prompts"

        func run() async throws {
            let files = try PromptFile.load(directory: directory)
            // Bad files are reported, and the rest still pushed.
            let failed = files.filter { if case .failure = $0 { true } else { false } }.count
            try await withStore(options, create: true) { store in
                let placed = Dictionary(uniqueKeysWithValues: try await store.prompts().map { ($0.name, $0.labels) })
                for file in files {
                    switch file {
                    case .failure(let error):
                        print("error   \(error)")
                    case .success(var draft):
                        // A file's labels place a label the first time only: moving production to a new
                        // version is a decision (`loupe prompts label`), not a side effect of editing.
                        draft.labels = draft.labels.filter { placed[draft.name]?[$0] == nil }
                        let (version, created) = try await store.createPromptVersion(draft, contentHash: draft.contentHash, onlyIfChanged: true)
                        let labels = version.labels.joined(separator: ", ")
                        print(created ? "new     \(draft.name) v\(version.version) [\(labels)]" : "same    \(draft.name) v\(version.version)")
                    }
                }
            }
            if failed > 0 { throw CommandFailure("\(failed) of \(files.count) prompt files were not pushed; the others were") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every prompt with its versions and labels.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let prompts = try await withStore(options) { try await $0.prompts() }
            for prompt in prompts {
                let labels = prompt.labels.sorted { $0.key < $1.key }.map { "\($0.key)=v\($0.value)" }.joined(separator: " ")
                print("\(prompt.name)  \(prompt.type)  v\(prompt.versions.last ?? 0)  \(labels)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One version: NAME, NAME@VERSION or NAME:LABEL.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "NAME (production, else latest), NAME@3 or NAME:staging.") var reference: String

        func run() async throws {
            let (name, selector) = try PromptsCommand.parse(reference)
            let version = try await PromptsCommand.find(options, name, selector)
            print("\(version.name) v\(version.version)  \(version.template.type)  labels: \(version.labels.joined(separator: ", "))")
            if !version.config.isEmpty { print("config: \(JSONValue.object(version.config).jsonText)") }
            print(PromptsCommand.text(version.template))
        }
    }

    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move LABEL onto VERSION of NAME.")
        @OptionGroup var options: ConfigOptions
        @Argument var name: String
        @Argument var version: Int
        @Argument var label: String

        func run() async throws {
            let updated = try await withStore(options) { store -> PromptVersion? in
                guard let current = try await store.promptVersion(name: name, .version(version)) else { return nil }
                let labels = current.labels.filter { $0 != "latest" && $0 != label } + [label]
                return try await store.setPromptLabels(name: name, version: version, labels: labels)
            }
            guard let updated else { throw CommandFailure("prompt '\(name)' has no version \(version)") }
            print("\(name) v\(version): \(updated.labels.joined(separator: ", "))")
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Line differences between two versions of NAME.")
        @OptionGroup var options: ConfigOptions
        @Argument var name: String
        @Argument var from: Int
        @Argument var to: Int

        func run() async throws {
            let old = try await PromptsCommand.find(options, name, .version(from))
            let new = try await PromptsCommand.find(options, name, .version(to))
            func lines(_ version: PromptVersion) -> [String] {
                (PromptsCommand.text(version.template) + "\nconfig: " + JSONValue.object(version.config).jsonText).components(separatedBy: "\n")
            }
            let before = lines(old), after = lines(new)
            print("--- \(name) v\(from)\n+++ \(name) v\(to)")
            // Walk both in order, printing each line once: kept lines plain, removed with -, added with +.
            let difference = after.difference(from: before)
            let removed = Set(difference.removals.map { if case .remove(let offset, _, _) = $0 { offset } else { -1 } })
            let inserted = Set(difference.insertions.map { if case .insert(let offset, _, _) = $0 { offset } else { -1 } })
            var oldIndex = 0, newIndex = 0
            while oldIndex < before.count || newIndex < after.count {
                if oldIndex < before.count, removed.contains(oldIndex) {
                    print("-\(before[oldIndex])"); oldIndex += 1
                } else if newIndex < after.count, inserted.contains(newIndex) {
                    print("+\(after[newIndex])"); newIndex += 1
                } else {
                    if newIndex < after.count { print(" \(after[newIndex])") }
                    oldIndex += 1; newIndex += 1
                }
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render a version with variables: --var name=value.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "NAME, NAME@VERSION or NAME:LABEL.") var reference: String
        @Option(name: .customLong("var"), help: "A variable, as name=value; repeat for more.") var variables: [String] = []

        func run() async throws {
            let (name, selector) = try PromptsCommand.parse(reference)
            var values: [String: JSONValue] = [:]
            for variable in variables {
                guard let equals = variable.firstIndex(of: "=") else { throw ValidationError("--var takes name=value, not '\(variable)'") }
                values[String(variable[..<equals])] = .string(String(variable[variable.index(after: equals)...]))
            }
            do {
                let renderer = try await withStore(options) { try await $0.renderer(name: name, selector) }
                guard let renderer else { throw CommandFailure("prompt '\(name)' has no \(selector)") }
                print(PromptsCommand.text(try renderer.render(values)))
            } catch let missing as MissingPromptPartial {
                throw CommandFailure("\(missing)")
            } catch let missing as MissingPromptVariables {
                throw CommandFailure("\(missing); pass each with --var name=value")
            }
        }
    }

    /// `NAME`, `NAME@3` or `NAME:staging`.
    static func parse(_ reference: String) throws -> (String, PromptSelector) {
        if let at = reference.lastIndex(of: "@") {
            guard let version = Int(reference[reference.index(after: at)...]) else { throw ValidationError("'\(reference)': the part after @ must be a version number") }
            return (String(reference[..<at]), .version(version))
        }
        if let colon = reference.lastIndex(of: ":") {
            return (String(reference[..<colon]), .label(String(reference[reference.index(after: colon)...])))
        }
        return (reference, .deployed)
    }

    static func find(_ options: ConfigOptions, _ name: String, _ selector: PromptSelector) async throws -> PromptVersion {
        guard let version = try await withStore(options, { try await $0.promptVersion(name: name, selector) }) else {
            throw CommandFailure("prompt '\(name)' has no \(selector)")
        }
        return version
    }

    static func text(_ template: PromptTemplate) -> String {
        switch template {
        case .text(let text): text
        case .chat(let messages): messages.map { "[\($0.role)]\n\($0.content)" }.joined(separator: "\n")
        }
    }
}
