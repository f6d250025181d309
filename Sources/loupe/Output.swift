import ArgumentParser
import Foundation
import LoupeConfig
import LoupeCore
import LoupeServer
import Logging

/// Runs `body` with the store the configuration names, brought up to date first. Only commands that
/// write (`create`) make a store that does not exist yet; the others say where they looked.
func withStore<Result: Sendable>(
    _ options: ConfigOptions, migrate: Bool = true, create: Bool = false, _ body: @Sendable (any LoupeStore) async throws -> Result
) async throws -> Result {
    let configuration = try options.load()
    do {
        let opened = try StoreFactory.open(url: configuration.store.url, create: create, logger: quietLogger)
        return try await opened.withRunning { store in
            if migrate { try await store.migrate() }
            return try await body(store)
        }
    } catch let error as StoreFactory.MissingStore {
        throw CommandFailure("\(error)")
    } catch let error as SchemaError {
        throw CommandFailure("\(error)")
    }
}

/// A logger for one-shot commands: only problems are worth printing.
let quietLogger: Logger = {
    var logger = Logger(label: "loupe")
    logger.logLevel = .warning
    return logger
}()

/// Prints `value` as JSON on standard output.
func printJSON(_ value: some Encodable, pretty: Bool = false) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Milliseconds with two decimals.
func format(_ milliseconds: Double) -> String {
    String(format: "%.2f", milliseconds)
}

/// A left-aligned text table.
func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count {
            widths[index] = max(widths[index], cell.count)
        }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}
