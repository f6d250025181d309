import ArgumentParser
import Foundation
import LoupeCore
import LoupeEvals
import LoupeServer

/// `loupe datasets create`: eval datasets made from recorded traces, as Langfuse makes them from production.
struct DatasetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Eval datasets: evals/datasets/<name>.jsonl files of cases.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a dataset of cases from recorded traces: each successful call's variables (or last user message) and its answer.",
            discussion: """
                A call made with a registry prompt gives its prompt variables as the case's vars; any other call gives {"input": <the last user message>}. \
                The answer becomes `expected`, and the trace id, model and prompt go in `metadata`.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The dataset's name: it is written to <dir>/<name>.jsonl.") var name: String
        @Flag(help: "Make the cases from recorded traces (the only source so far).") var fromTraces = false
        @Option(help: "Which traces: key=value pairs joined by commas, with keys model, provider, user, session, tag, since, until.") var filter: String?
        @Option(help: "At most this many cases, newest traces first.") var limit = 200
        @Option(help: "The folder datasets live in.") var dir = "evals/datasets"
        @Flag(help: "Replace a dataset file that exists.") var force = false

        func run() async throws {
            guard fromTraces else { throw ValidationError("say where the cases come from: --from-traces") }
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { throw ValidationError("the name must be a plain file name, such as support-prod") }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 100000") }
            let path = "\(dir)/\(name).jsonl"
            if FileManager.default.fileExists(atPath: path) && !force {
                throw CommandFailure("\(path) exists; pass --force to replace it")
            }
            var query = try Self.query(filter)
            query.status = TraceQuery.StatusFilter("ok")
            let finalQuery = query
            let limit = self.limit
            let traces = try await withStore(options) { store in
                var found: [Trace] = []
                var page = finalQuery
                while found.count < limit {
                    page.limit = min(TraceQuery.maxLimit, limit - found.count)
                    let result = try await store.traces(matching: page)
                    found += result.traces
                    guard let next = result.nextCursor else { break }
                    page.cursor = next
                }
                return found
            }
            let lines = traces.compactMap(Self.caseLine)
            guard !lines.isEmpty else { throw CommandFailure("no successful chat call matches the filter, so there is nothing to write") }
            try write(lines.joined(separator: "\n") + "\n", to: path)
            let dataset = try Dataset.load(path: path)
            print("Wrote \(lines.count) cases to \(path) (sha256 \(dataset.contentHash.prefix(12))); \(traces.count - lines.count) traces had no usable request or answer.")
        }

        /// `model=gpt-4o-mini,tag=prod` as a trace query.
        static func query(_ filter: String?) throws -> TraceQuery {
            var query = TraceQuery()
            for pair in (filter ?? "").split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("--filter takes key=value pairs joined by commas, such as model=gpt-4o-mini,tag=prod") }
                switch parts[0] {
                case "model": query.model = parts[1]
                case "provider": query.provider = parts[1]
                case "user": query.user = parts[1]
                case "session": query.sessionID = parts[1]
                case "tag": query.tag = parts[1]
                case "since": query.since = try TimeExpression.parse(parts[1])
                case "until": query.until = try TimeExpression.parse(parts[1])
                default: throw ValidationError("--filter key '\(parts[0])' is not one of model, provider, user, session, tag, since, until")
                }
            }
            return query
        }

        /// One JSON line for a chat call, or nil when its request or answer cannot be read.
        static func caseLine(_ trace: Trace) -> String? {
            guard let request = trace.request.flatMap(JSONValue.parse), let response = trace.response.flatMap(JSONValue.parse),
                  case .array(let choices)? = response["choices"], let answer = choices.first?["message"]?["content"]?.stringValue
            else { return nil }
            var vars: [String: JSONValue]
            if case .object(let variables)? = trace.metadata?["prompt_variables"] {
                vars = variables
            } else if case .array(let messages)? = request["messages"],
                      let last = messages.last(where: { $0["role"]?.stringValue == "user" })?["content"]?.stringValue
            {
                vars = ["input": .string(last)]
            } else {
                return nil
            }
            var metadata: [String: JSONValue] = ["trace_id": .string(trace.id)]
            if let model = trace.model { metadata["model"] = .string(model) }
            if let prompt = trace.promptName { metadata["prompt"] = .string(prompt) }
            return JSONValue.object(["vars": .object(vars), "expected": .string(answer), "metadata": .object(metadata)]).jsonText
        }
    }
}
