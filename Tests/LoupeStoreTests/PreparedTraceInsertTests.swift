import Foundation
import LoupeCore
@testable import LoupePostgres
import Testing

/// The trace insert runs prepared only if every statement has the prepared text; otherwise it silently runs
/// unprepared, still correct but planned each time. These pin that every shape of batch is prepared.
@Suite struct PreparedTraceInsertTests {
    @Test func everyStatementOfEveryBatchHasThePreparedText() {
        func traces(_ count: Int) -> [Trace] {
            (0..<count).map { index in
                Trace(
                    endpoint: "/v1/chat/completions", model: index % 2 == 0 ? "gpt-4o-mini" : nil, cost: index % 3 == 0 ? nil : USD("0.001"),
                    user: index % 5 == 0 ? nil : "u\(index % 7)", tags: index % 4 == 0 ? ["a", "b"] : []
                )
            }
        }
        for count in [1, 255, 256, 600, 5_000] {
            let statements = PostgresTraceInsert.statements(for: traces(count))
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { PreparedTraceInsert($0) != nil }, "batch of \(count)")
        }
        // Batches of 256 or more go as two statements (and more past the per-statement bounds).
        #expect(PostgresTraceInsert.statements(for: traces(255)).count == 1)
        #expect(PostgresTraceInsert.statements(for: traces(600)).count == 2)
        #expect(PostgresTraceInsert.statements(for: traces(5_000)).count == 3)
    }
}
