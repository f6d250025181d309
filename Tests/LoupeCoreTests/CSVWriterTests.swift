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

    @Test func numbersAreWrittenAsJSONWritesThem() {
        #expect(CSVWriter.number(12.0 as Double?) == "12")
        #expect(CSVWriter.number(12.5 as Double?) == "12.5")
        #expect(CSVWriter.number(nil as Double?) == nil)
        #expect(CSVWriter.number(Decimal(string: "0.000123456789") as Decimal?) == "0.000123456789")
    }
}
