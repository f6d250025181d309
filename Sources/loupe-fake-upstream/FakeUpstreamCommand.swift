import ArgumentParser
import Hummingbird
import LoupeTestSupport

/// `loupe-fake-upstream`: the fake OpenAI API, for scripts and benchmarks.
@main
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe-fake-upstream",
        abstract: "A fake OpenAI API with deterministic replies, for tests and benchmarks."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks one).") var port = 9100
    @Option(help: "Require this bearer key.") var apiKey: String?
    @Flag(help: "Do not keep received requests (for load tests).") var noRecord = false

    func run() async throws {
        let host = host
        let app = FakeOpenAIUpstream.makeApplication(
            .init(host: host, port: port, requiredAPIKey: apiKey, recordRequests: !noRecord),
            recorder: RequestRecorder()
        ) { port in
            print("listening on http://\(host):\(port)")
        }
        try await app.runService()
    }
}
