import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LoupeConfig
import LoupeCore
import LoupeServer
import LoupeSQLite
import Testing

/// Each dashboard page in a real browser: headless Chromium (Debian's package) loads it from a Loupe on a real
/// socket over a seeded store, the test checks key figures in the DOM, and keeps a screenshot in
/// `.build/dashboard-screenshots/`. Skipped only when Chromium is absent and LOUPE_REQUIRE_CHROMIUM is unset.
@Suite(.serialized) struct DashboardBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let required = ProcessInfo.processInfo.environment["LOUPE_REQUIRE_CHROMIUM"] != nil

    @Test(.enabled(if: chromium != nil || required, "Chromium is not installed (apt-get install chromium, or .ci/install-deps); set LOUPE_REQUIRE_CHROMIUM=1 to fail instead"))
    func everyPageRendersItsKeyFigures() async throws {
        let browser = try #require(Self.chromium, "LOUPE_REQUIRE_CHROMIUM is set but no chromium binary was found")
        let output = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/dashboard-screenshots").standardized
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("loupe.db").path
        let store = try SQLiteTraceStore(path: path)
        try await store.migrate()
        let now = Date()
        var traces = DashboardSeed.traces(now: now)
        // A week of daily traffic, so the 7 d charts have a shape.
        for day in 1...6 {
            for call in 0..<(day * 3) {
                traces.append(DashboardSeed.trace(minutesAgo: Double(day * 1440 + call * 7), model: call % 3 == 0 ? "claude-3-haiku" : "gpt-4o-mini",
                                                  cost: call % 3 == 0 ? "0.00025" : "0.0012", latency: Double(100 + call * 37 % 400), now: now))
            }
        }
        try await DashboardSeed.seed(store, traces, now: now, tracking: true)
        let evalRun = try #require(try await EvalRunReader(store: store).list(suite: "support", limit: 2).first?.runID)
        let experiment = try #require(try await store.experiment(name: "fine-tune-sweep"))
        let configuration = LoupeConfiguration(store: .init(url: "sqlite:\(path)", spoolPath: directory.appendingPathComponent("traces.spool").path))
        let app = try await buildApplication(configuration: configuration, store: store, logger: Logger(label: "loupe-browser-test"))
        let pages: [(name: String, path: String, figures: [String])] = [
            ("overview", "/?range=24h", ["$0.0041", "gpt-4o-mini", "Latest traces", traces[0].id.suffix(12).description]),
            ("overview-7d", "/?range=7d", ["Spend by model", "gpt-4o-mini"]),
            ("cost", "/cost?by=model&range=24h", ["$0.0036", "$0.0005", "Download CSV"]),
            ("traces", "/traces", [traces[0].id, "&lt;script&gt;alert(1)&lt;/script&gt;"]),
            ("trace", "/traces/\(traces[0].id)", ["$0.0012", "support/greeting", "pii", "Say hello"]),
            ("prompts", "/prompts", ["support/greeting", "production → v2"]),
            ("prompt-diff", "/prompts/support/greeting?diff=1..2", ["+ Hello {{name}}!", "- Hello {{name}}."]),
            ("evals", "/evals", ["support", "Compare two runs"]),
            ("eval-run", "/evals/\(evalRun)", ["Run matrix", "gpt-4o-mini", "90.0%"]),
            ("experiment", "/experiments/\(experiment.id)", ["lr-0.01", "loss over steps"]),
            ("models", "/models", ["support-classifier", "@champion → v2", "Production"]),
        ]
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for page in pages {
                let url = "http://127.0.0.1:\(port)\(page.path)"
                let dom = try await Self.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url])
                for figure in page.figures {
                    #expect(dom.contains(figure), "\(page.name) (\(page.path)) lacks \(figure)")
                }
                // The DOM the browser built holds no script element: every value was text.
                #expect(!dom.contains("<script"), "\(page.name) has a script element")
                let file = output.appendingPathComponent("dashboard-\(page.name).png").path
                _ = try await Self.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--screenshot=\(file)", "--window-size=1280,900", url])
                #expect(FileManager.default.fileExists(atPath: file), "no screenshot of \(page.name)")
            }
        }
    }

    /// Runs Chromium to the end off the cooperative pool (it blocks) and returns what it printed.
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
