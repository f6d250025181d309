import ArgumentParser
import Foundation
import Hummingbird
import LoupeTestSupport

/// `loupe-fake-upstream`: the fake OpenAI API, for scripts and benchmarks.
@main
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe-fake-upstream",
        abstract: "A fake OpenAI API with deterministic replies, for tests and benchmarks.",
        discussion: """
            Prints `listening on http://HOST:PORT` once the socket is bound, and stops gracefully on \
            SIGTERM or SIGINT. Control headers such as x-fake-status, x-fake-delay-ms and \
            x-fake-cut-after shape each reply.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 9100
    @Option(help: "Require `Authorization: Bearer <key>` with this key.") var apiKey: String?
    @Flag(help: "Do not keep received requests (for load tests).") var noRecord = false
    @Option(help: ArgumentHelp("Scripted answers: a JSON list of {\"when\": TEXT, \"reply\": TEXT}; a request whose last user message contains TEXT gets the reply.", valueName: "FILE"))
    var replies: String?

    func run() async throws {
        let host = host
        let scripted = try replies.map(FakeScriptedReply.load) ?? []
        let app = FakeOpenAIUpstream.makeApplication(
            .init(host: host, port: port, requiredAPIKey: apiKey, recordRequests: !noRecord, scriptedReplies: scripted),
            recorder: RequestRecorder()
        ) { port in
            // Unbuffered, so a script reading a pipe sees the line at once.
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
        try await app.runService()
    }
}
