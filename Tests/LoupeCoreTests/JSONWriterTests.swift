import Foundation
import LoupeCore
import Testing

@Suite struct JSONWriterTests {
    @Test func placesCommasInNestedObjectsAndArrays() {
        var json = JSONWriter()
        json.beginObject()
        json.key("runs")
        json.beginArray()
        for id in ["a", "b"] {
            json.beginObject()
            json.key("id")
            json.string(id)
            json.key("tags")
            json.beginArray()
            json.endArray()
            json.key("data")
            json.beginObject()
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.key("next_page_token")
        json.null()
        json.endObject()
        #expect(json.text == #"{"runs":[{"id":"a","tags":[],"data":{}},{"id":"b","tags":[],"data":{}}],"next_page_token":null}"#)
    }

    @Test(arguments: [
        (Int64.min, "-9223372036854775808"), (Int64.max, "9223372036854775807"), (0, "0"), (-7, "-7"), (1_700_000_000_123, "1700000000123"),
    ])
    func writesEveryWholeNumber(value: Int64, text: String) {
        var json = JSONWriter()
        json.number(value)
        #expect(json.text == text)
    }

    @Test func writesDoublesThatReadBackTheSame() throws {
        let values: [Double] = [0.1, -2.5e-8, 1e300, 123456.789, 0.000375, 5, -0.0]
        var json = JSONWriter()
        json.beginArray()
        for value in values { json.number(value) }
        json.number(.nan)
        json.number(.infinity)
        json.endArray()
        #expect(json.text == "[0.1,-2.5e-08,1e+300,123456.789,0.000375,5,0,null,null]")
        let read = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [Any]
        #expect((read?.prefix(values.count).compactMap { ($0 as? NSNumber)?.doubleValue }) == values.map { $0 == 0 ? 0 : $0 })
    }

    @Test func escapesWhatJSONRequiresAndNothingElse() throws {
        let text = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{0} é 😀"
        var json = JSONWriter()
        json.beginObject()
        json.key("k\"ey")
        json.string(text)
        json.endObject()
        #expect(json.text == #"{"k\"ey":"quote \" backslash \\ slash / newline \n tab \t bell \u0007 nul \u0000 é 😀"}"#)
        #expect(JSONValue.parse(json.text) == .object(["k\"ey": .string(text)]))
    }

    @Test func writesAValueLikeItsJSONText() {
        let value = JSONValue.object(["z": .array([.bool(false), .number(1.5)]), "a": .object(["n": .null])])
        var json = JSONWriter()
        json.beginArray()
        json.value(value)
        json.value(.string("x"))
        json.endArray()
        #expect(json.text == "[\(value.jsonText),\"x\"]")
        #expect(value.jsonText == #"{"a":{"n":null},"z":[false,1.5]}"#)
    }
}
