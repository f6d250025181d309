import Foundation
import LoupeCore
import Testing

/// The `EvalCaseStore` contract (eval case results beside their tracking run), on every backend.
@Suite struct EvalCaseStoreTests {
    @Test(arguments: StoreBackend.tested)
    func casesComeBackInOrderAndASaveReplacesThem(_ backend: StoreBackend) async throws {
        try await backend.withStore { traces in
            let store = try #require(traces as? any LoupeStore)
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            _ = try await store.createRun(
                RunInfo(id: id, experimentID: "0", name: "evals", userID: "", status: .running, startTime: 1, artifactURI: ""), tags: [:]
            )
            #expect(try await store.evalCases(runID: id).isEmpty)
            // Text a SQL string would mangle, and more rows than one statement's worth of placeholders.
            let cases = (0..<1500).map { #"{"position": \#($0), "note": "it's \"quoted\"; DROP TABLE runs; --"}"# }
            try await store.saveEvalCases(runID: id, cases: cases)
            #expect(try await store.evalCases(runID: id) == cases)
            try await store.saveEvalCases(runID: id, cases: ["{}"])
            #expect(try await store.evalCases(runID: id) == ["{}"])
            await #expect(throws: TrackingError.self) { try await store.saveEvalCases(runID: "missing", cases: ["{}"]) }
            #expect(try await store.run(id: id) != nil)
        }
    }
}
