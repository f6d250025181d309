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
            let statements = PostgresTraceInsert.parts(of: traces(count)).map { PostgresTraceInsert.query($0.traces, shard: $0.shard) }
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { PreparedTraceInsert($0) != nil }, "batch of \(count)")
        }
        // Batches of 256 or more go as two statements (and more past the per-statement bounds).
        #expect(PostgresTraceInsert.parts(of: traces(255)).map(\.shard) == [0])
        #expect(PostgresTraceInsert.parts(of: traces(600)).map(\.shard) == [0, 1])
        #expect(PostgresTraceInsert.parts(of: traces(5_000)).map(\.traces.count) == [2_000, 2_000, 1_000])
    }
}
