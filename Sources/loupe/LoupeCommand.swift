import ArgumentParser

/// The `loupe` command: an LLM observability proxy and LLMOps toolkit.
@main
struct LoupeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "An OpenAI-compatible proxy that records every LLM call: tokens, latency and exact cost.",
        subcommands: [ServeCommand.self, TracesCommand.self, ReportCommand.self, PromptsCommand.self, EvalCommand.self, DatasetsCommand.self, KeysCommand.self, GuardrailsCommand.self, DbCommand.self]
    )
}
