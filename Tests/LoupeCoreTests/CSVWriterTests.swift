import Foundation
import LoupeCore
import Testing

@Suite struct CSVWriterTests {
    @Test func fieldsWithCommasQuotesOrLineBreaksAreQuotedAndQuotesDoubled() {
        var csv = CSVWriter(header: ["model", "note"])
        csv.row(["plain", "a,b"])
        csv.row(["say \"hi\"", "line\nbreak"])
        csv.row([nil, "cr\r\nlf"])
        csv.row(["", " spaced "])
        #expect(csv.text == "model,note\r\nplain,\"a,b\"\r\n\"say \"\"hi\"\"\",\"line\nbreak\"\r\n,\"cr\r\nlf\"\r\n, spaced \r\n")
    }

    @Test func aFieldASpreadsheetWouldRunIsDefusedButNumbersAreNot() {
        var csv = CSVWriter(header: ["user", "delta"])
        csv.row(["=HYPERLINK(\"http://x\")", "-0.25"])
        csv.row(["@SUM(A1)", "+3"])
        csv.row(["-rm", "1e-3"])
        #expect(csv.text == "user,delta\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-0.25\r\n'@SUM(A1),+3\r\n'-rm,1e-3\r\n")
    }

    @Test func numbersAreWrittenAsJSONWritesThem() {
        #expect(CSVWriter.number(12.0 as Double?) == "12")
        #expect(CSVWriter.number(12.5 as Double?) == "12.5")
        #expect(CSVWriter.number(nil as Double?) == nil)
        #expect(CSVWriter.number(Decimal(string: "0.000123456789") as Decimal?) == "0.000123456789")
    }
}
