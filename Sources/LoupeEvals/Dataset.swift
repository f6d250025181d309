import Crypto
import Foundation
import LoupeCore

/// A dataset file's cases and the hash that versions them: `evals/datasets/<name>.jsonl` (one
/// `{"vars", "expected", "metadata"}` object per line) or a CSV with a header row.
public struct Dataset: Sendable, Hashable {
    public var cases: [EvalCase]
    /// Lower-case hex SHA-256 of the file's bytes.
    public var contentHash: String

    /// Reads the file at `path`: `.csv` as CSV, anything else as JSON Lines.
    public static func load(path: String) throws(DatasetError) -> Dataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, line: nil, message: "cannot be read: no such dataset file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DatasetError(file: path, line: nil, message: "is not UTF-8 text") }
        let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let cases = path.lowercased().hasSuffix(".csv") ? try csvCases(text, file: path) : try jsonLinesCases(text, file: path)
        guard !cases.isEmpty else { throw DatasetError(file: path, line: nil, message: "has no cases") }
        return Dataset(cases: cases, contentHash: hash)
    }

    /// One case per non-blank line. Langfuse's item shape (`input`, `expected_output`) is read too.
    static func jsonLinesCases(_ text: String, file: String) throws(DatasetError) -> [EvalCase] {
        var cases: [EvalCase] = []
        // `\r\n` is one Character in Swift, so splitting on "\n" alone leaves a CRLF file as one line.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes: Array(line.utf8))
            } catch {
                throw DatasetError(file: file, line: number, message: "not a JSON object: \(error)")
            }
            guard case .object(let members) = value else { throw DatasetError(file: file, line: number, message: "expected a JSON object, {\"vars\": {…}, \"expected\": …}") }
            let allowed = ["vars", "expected", "metadata", "description", "assert", "tools", "input", "expected_output"]
            if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw DatasetError(file: file, line: number, message: "unknown key '\(unknown)'; expected vars, expected, metadata, description, assert or tools")
            }
            var evalCase = EvalCase(vars: [:], source: "\(URL(fileURLWithPath: file).lastPathComponent):\(number)")
            switch members["vars"] ?? members["input"] {
            case nil: break
            case .object(let vars)?: evalCase.vars = vars
            case let input? where members["vars"] == nil: evalCase.vars = ["input": input]
            default: throw DatasetError(file: file, line: number, message: "vars must be an object of variable names to values")
            }
            evalCase.expected = members["expected"] ?? members["expected_output"]
            if case .object(let metadata)? = members["metadata"] { evalCase.metadata = metadata }
            evalCase.description = members["description"]?.stringValue
            evalCase.tools = members["tools"]
            if let specs = members["assert"] {
                guard case .array(let items) = specs else { throw DatasetError(file: file, line: number, message: "assert must be a list of assertions") }
                for (position, item) in items.enumerated() {
                    do {
                        evalCase.assertions.append(try Assertion(parsing: item))
                    } catch {
                        throw DatasetError(file: file, line: number, message: "assert[\(position)]: \(error)")
                    }
                }
            }
            cases.append(evalCase)
        }
        return cases
    }

    /// A header row names the variables; `expected` (or Promptfoo's `__expected`) and `description` are special.
    static func csvCases(_ text: String, file: String) throws(DatasetError) -> [EvalCase] {
        let rows = try CSVReader.rows(text, file: file)
        guard let header = rows.first?.fields else { return [] }
        var cases: [EvalCase] = []
        for row in rows.dropFirst() {
            guard row.fields.count == header.count else {
                throw DatasetError(file: file, line: row.line, message: "has \(row.fields.count) fields; the header has \(header.count)")
            }
            var evalCase = EvalCase(vars: [:], source: "\(URL(fileURLWithPath: file).lastPathComponent):\(row.line)")
            for (name, field) in zip(header, row.fields) {
                switch name {
                case "expected", "__expected": evalCase.expected = .string(field)
                case "description", "__description": evalCase.description = field
                default: evalCase.vars[name] = .string(field)
                }
            }
            cases.append(evalCase)
        }
        return cases
    }
}

/// A dataset that cannot be read: the file, the line, and what is wrong.
public struct DatasetError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}
