import Foundation
import LoupeCore
import Testing

@testable import LoupeEvals

/// Dataset files written to a folder of their own, removed by `remove()`.
private struct DatasetFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("LoupeEvalsTests-dataset-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Data(text.utf8))
    }

    func write(_ name: String, bytes: Data) throws -> String {
        let file = path + "/" + name
        try bytes.write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Loads `text` as the file `name`, expecting it to fail.
private func datasetError(_ name: String, _ text: String) throws -> DatasetError {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let file = try folder.write(name, text)
    do throws(DatasetError) {
        let dataset = try Dataset.load(path: file)
        Issue.record("expected an error, got \(dataset.cases.count) cases")
    } catch {
        #expect(error.file == file)
        return error
    }
    throw NoDatasetError()
}

private struct NoDatasetError: Error {}

/// Loads `text` as the file `name`.
private func loadDataset(_ name: String, _ text: String) throws -> Dataset {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    return try Dataset.load(path: try folder.write(name, text))
}

@Suite struct DatasetTests {
    // MARK: - JSON Lines

    @Test func jsonLinesReadEveryKeyAndSkipBlankLines() throws {
        let text = """
            {"vars": {"question": "Where is my order?", "id": 7}, "expected": "tracking", "metadata": {"tier": "gold"}, "description": "orders"}

               \t
            {"vars": {"question": "Refund"}, "assert": [{"type": "icontains", "value": "refund"}], "tools": [{"type": "function"}]}

            """
        let dataset = try loadDataset("support.jsonl", text)
        #expect(dataset.cases.count == 2)
        let first = dataset.cases[0]
        #expect(first.vars == ["question": .string("Where is my order?"), "id": .number(7)])
        #expect(first.expected == .string("tracking"))
        #expect(first.metadata == ["tier": .string("gold")])
        #expect(first.description == "orders")
        #expect(first.assertions.isEmpty)
        #expect(first.source == "support.jsonl:1")
        let second = dataset.cases[1]
        // Blank lines are skipped but still counted, so the source names the line in the file.
        #expect(second.source == "support.jsonl:4")
        #expect(second.expected == nil)
        #expect(second.description == nil)
        #expect(second.assertions == [Assertion(kind: .icontains, value: .string("refund"))])
        #expect(second.tools == .array([.object(["type": .string("function")])]))
    }

    @Test func langfuseItemsReadInputAndExpectedOutput() throws {
        let text = """
            {"input": {"question": "hi"}, "expected_output": {"answer": "hello"}}
            {"input": "just a string", "expected_output": "a string"}
            {"input": [1, 2]}

            """
        let dataset = try loadDataset("items.jsonl", text)
        #expect(dataset.cases[0].vars == ["question": .string("hi")])
        #expect(dataset.cases[0].expected == .object(["answer": .string("hello")]))
        // An input that is not an object becomes the variable `input`.
        #expect(dataset.cases[1].vars == ["input": .string("just a string")])
        #expect(dataset.cases[1].expected == .string("a string"))
        #expect(dataset.cases[2].vars == ["input": .array([.number(1), .number(2)])])
        #expect(dataset.cases[2].expected == nil)
    }

    @Test func aLineWithoutVarsIsACaseWithNoVariables() throws {
        let dataset = try loadDataset("plain.jsonl", "{\"expected\": \"hello\"}\n")
        #expect(dataset.cases.count == 1)
        #expect(dataset.cases[0].vars.isEmpty)
        #expect(dataset.cases[0].expected == .string("hello"))
    }

    @Test func theLastLineNeedsNoLineBreak() throws {
        let dataset = try loadDataset("last.jsonl", "{\"vars\": {\"q\": \"a\"}}\n{\"vars\": {\"q\": \"b\"}}")
        #expect(dataset.cases.map { $0.vars["q"] } == [.string("a"), .string("b")])
    }

    @Test func windowsLineBreaksSplitLinesToo() throws {
        let dataset = try loadDataset("crlf.jsonl", "{\"vars\": {\"q\": \"a\"}}\r\n\r\n{\"vars\": {\"q\": \"b\"}}\r\n")
        #expect(dataset.cases.map { $0.vars["q"] } == [.string("a"), .string("b")])
        #expect(dataset.cases.map(\.source) == ["crlf.jsonl:1", "crlf.jsonl:3"])
    }

    @Test func aLineThatIsNotJSONIsReportedWithItsNumber() throws {
        let error = try datasetError("bad.jsonl", "{\"vars\": {}}\n\n{\"vars\": {\"q\": \"unterminated}\n")
        #expect(error.line == 3)
        #expect(error.message.hasPrefix("not a JSON object"))
        #expect(error.description.hasSuffix("bad.jsonl:3: " + error.message))
    }

    @Test func aLineThatIsNotAnObjectIsReportedWithItsNumber() throws {
        let error = try datasetError("array.jsonl", "{\"vars\": {}}\n[\"q\", \"hi\"]\n")
        #expect(error.line == 2)
        #expect(error.message.contains("expected a JSON object"))
    }

    @Test func anUnknownKeyIsReportedWithItsNumber() throws {
        let error = try datasetError("typo.jsonl", "{\"vars\": {}}\n{\"vars\": {}}\n{\"var\": {\"q\": \"hi\"}}\n")
        #expect(error.line == 3)
        #expect(error.message.contains("unknown key 'var'"))
    }

    @Test func varsThatAreNotAnObjectAreRefused() throws {
        let error = try datasetError("vars.jsonl", "{\"vars\": \"hi\"}\n")
        #expect(error.line == 1)
        #expect(error.message.contains("vars must be an object"))
    }

    @Test func aBadAssertionIsReportedWithItsLineAndPosition() throws {
        let text = """
            {"vars": {}}
            {"vars": {}, "assert": [{"type": "icontains", "value": "x"}, {"type": "shouts"}]}

            """
        let error = try datasetError("asserts.jsonl", text)
        #expect(error.line == 2)
        #expect(error.message.hasPrefix("assert[1]: "))
        #expect(error.message.contains("unknown assertion type 'shouts'"))
    }

    @Test func anAssertThatIsNotAListIsRefused() throws {
        let error = try datasetError("asserts.jsonl", "{\"vars\": {}, \"assert\": {\"type\": \"icontains\", \"value\": \"x\"}}\n")
        #expect(error.line == 1)
        #expect(error.message.contains("assert must be a list"))
    }

    // MARK: - CSV

    @Test func csvUsesTheHeaderForVariableNames() throws {
        let text = "question,tone,expected,description\nWhere is my order?,calm,tracking,orders\nRefund,angry,refund,refunds\n"
        let dataset = try loadDataset("support.csv", text)
        #expect(dataset.cases.count == 2)
        #expect(dataset.cases[0].vars == ["question": .string("Where is my order?"), "tone": .string("calm")])
        #expect(dataset.cases[0].expected == .string("tracking"))
        #expect(dataset.cases[0].description == "orders")
        #expect(dataset.cases[0].source == "support.csv:2")
        #expect(dataset.cases[1].source == "support.csv:3")
    }

    @Test func csvReadsPromptfoosExpectedColumn() throws {
        let dataset = try loadDataset("pf.CSV", "q,__expected\nhi,hello\n")
        #expect(dataset.cases[0].vars == ["q": .string("hi")])
        #expect(dataset.cases[0].expected == .string("hello"))
    }

    @Test func csvQuotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "q,expected\n\"a, b\",\"say \"\"hi\"\"\"\n\"line one\nline two\",x\nlast,\"\"\n"
        let dataset = try loadDataset("quoted.csv", text)
        #expect(dataset.cases.count == 3)
        #expect(dataset.cases[0].vars["q"] == .string("a, b"))
        #expect(dataset.cases[0].expected == .string("say \"hi\""))
        #expect(dataset.cases[1].vars["q"] == .string("line one\nline two"))
        #expect(dataset.cases[1].source == "quoted.csv:3")
        // The row after a field with a line break starts two lines later.
        #expect(dataset.cases[2].source == "quoted.csv:5")
        #expect(dataset.cases[2].expected == .string(""))
    }

    @Test func csvWithWindowsLineBreaksAndBlankLines() throws {
        let dataset = try loadDataset("crlf.csv", "q,expected\r\nhi,hello\r\n\r\nbye,goodbye")
        #expect(dataset.cases.map { $0.vars["q"] } == [.string("hi"), .string("bye")])
        #expect(dataset.cases.map(\.expected) == [.string("hello"), .string("goodbye")])
        #expect(dataset.cases.map(\.source) == ["crlf.csv:2", "crlf.csv:4"])
    }

    @Test func csvWithAByteOrderMarkNamesTheFirstColumnWithoutIt() throws {
        var bytes = Data([0xEF, 0xBB, 0xBF])
        bytes.append(Data("question,expected\nhi,hello\n".utf8))
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let dataset = try Dataset.load(path: try folder.write("excel.csv", bytes: bytes))
        #expect(dataset.cases[0].vars == ["question": .string("hi")])
    }

    @Test func aRowWithTheWrongFieldCountIsReportedWithItsLine() throws {
        let error = try datasetError("short.csv", "q,expected\nhi,hello\n\"two\nlines\",x\nonly one field\n")
        #expect(error.line == 5)
        #expect(error.message.contains("has 1 fields; the header has 2"))
    }

    @Test func anUnclosedQuoteIsReportedOnTheRowWhereItOpens() throws {
        let error = try datasetError("open.csv", "q,expected\nhi,hello\n\"never closed,x\nmore\n")
        #expect(error.line == 3)
        #expect(error.message.contains("quoted field is not closed"))
    }

    @Test func aCSVWithOnlyAHeaderHasNoCases() throws {
        let error = try datasetError("header.csv", "q,expected\n")
        #expect(error.line == nil)
        #expect(error.message.contains("has no cases"))
    }

    // MARK: - Content hash, missing and empty files

    @Test func theContentHashIsTheSHA256OfTheBytes() throws {
        // Digests from `printf '…' | sha256sum`.
        let jsonl = try loadDataset("h.jsonl", "{\"vars\": {\"q\": \"hi\"}, \"expected\": \"hello\"}\n")
        #expect(jsonl.contentHash == "fdaafa9f1fd3040aa9d6c5243b22172d10ee849be2cc6f62d77a7a4ec3d9a280")
        let csv = try loadDataset("h.csv", "question,expected\nhi,hello\n")
        #expect(csv.contentHash == "19247a8b30559022ee4219187543a83cdcabe3c6e10c7ab5bcbd53cbd0f8b7f9")
    }

    @Test func theContentHashChangesWhenOneByteChanges() throws {
        let changed = try loadDataset("h.jsonl", "{\"vars\": {\"q\": \"hi\"}, \"expected\": \"hellp\"}\n")
        #expect(changed.contentHash == "b887c483f5bf3d065a0722710efbf06e501a8454fa8b06564557fdc3da261c0b")
        let same = try loadDataset("other-name.jsonl", "{\"vars\": {\"q\": \"hi\"}, \"expected\": \"hellp\"}\n")
        // The name is not hashed: the same bytes are the same version.
        #expect(same.contentHash == changed.contentHash)
    }

    @Test func aMissingFileIsReported() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let path = folder.path + "/none.jsonl"
        do throws(DatasetError) {
            _ = try Dataset.load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.line == nil)
            #expect(error.message.contains("no such dataset file"))
            #expect(error.description == "\(path): cannot be read: no such dataset file")
        }
    }

    @Test(arguments: ["empty.jsonl", "empty.csv"])
    func anEmptyFileHasNoCases(_ name: String) throws {
        let error = try datasetError(name, "")
        #expect(error.message == "has no cases")
    }

    @Test func aFileOfBlankLinesHasNoCases() throws {
        let error = try datasetError("blank.jsonl", "\n  \n\n")
        #expect(error.message == "has no cases")
    }

    @Test func bytesThatAreNotUTF8AreRefused() throws {
        let folder = try DatasetFolder()
        defer { folder.remove() }
        let path = try folder.write("latin1.jsonl", bytes: Data([0x7B, 0x22, 0xE9, 0x22, 0x7D, 0x0A]))
        do throws(DatasetError) {
            _ = try Dataset.load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("not UTF-8"))
        }
    }
}
