import Foundation
import LoupeCore
import Testing

@Suite struct JSONValueTests {
    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "{\"a\" 1}", "{a:1}",
        "\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "[1] [2]", "\"tab\there\"", "NaN",
    ])
    func rejectsWhatIsNotJSON(text: String) {
        #expect(JSONValue.parse(text) == nil, "\(text)")
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "{\"a\" 1}", "{a:1}",
        "\"unterminated", "\"bad \\x escape\"", "[1] [2]", "\"tab\there\"", "NaN", "{\"a\":1", "[1 2]", "\"\\u12g4\"",
        "\"\\ud800\"", "\"\\udc00\"",
    ])
    func rejectsWhatIsNotJSONInAMemberItSkips(text: String) {
        // The same text as the value of a member that is not kept: skipped, but still checked.
        let document = "{\"kept\":1,\"skipped\":\(text)}"
        #expect((try? JSONValue.parse(bytes: Array(document.utf8), keepingMembers: ["kept"])) == nil, "\(text)")
    }

    @Test func keepsOnlyTheNamedMembersOfTheTopObject() throws {
        let text = #"{"a":{"x":[1,2,{"y":"\u00e9\"\n"}]},"b":[true,false,null,-1.5e3,"s"],"c":{"d":1},"e":"\ud83d\ude00"}"#
        let kept = try JSONValue.parse(bytes: Array(text.utf8), keepingMembers: ["c", "e"])
        let whole = try JSONValue.parse(bytes: Array(text.utf8))
        #expect(kept["a"] == nil)
        #expect(kept["b"] == nil)
        #expect(kept["c"] == whole["c"])
        #expect(kept["e"] == whole["e"])
        // Nested objects are built whole; a top value that is not an object is read as it is.
        #expect(try JSONValue.parse(bytes: Array("[1,{\"a\":2}]".utf8), keepingMembers: []) == JSONValue.parse("[1,{\"a\":2}]"))
    }

    @Test func readsWhatFoundationReads() throws {
        let text = #" { "s": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "n": [0, -1, 2.5, 1e3, -0.25E-2], "t": true, "f": false, "z": null, "o": {"e": {}}, "a": [] } "#
        let value = try #require(JSONValue.parse(text))
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value == foundation)
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["n"] == .array([.number(0), .number(-1), .number(2.5), .number(1000), .number(-0.0025)]))
    }

    @Test func errorsSayWhere() {
        #expect {
            try JSONValue.parse(bytes: Array(#"{"a":1 "b":2}"#.utf8))
        } throws: { error in
            "\(error)" == "expected ',' or '}' in an object at byte 7"
        }
    }

    @Test func writesCompactSortedJSON() {
        let value = JSONValue.object([
            "b": .array([.number(5), .number(0.000375), .number(-2)]), "a": .string("q\"\\\n\u{01}/é"), "c": .null, "d": .bool(true),
        ])
        #expect(value.jsonText == #"{"a":"q\"\\\n\u0001/é","b":[5,0.000375,-2],"c":null,"d":true}"#)
        #expect(JSONValue.parse(value.jsonText) == value)
    }
}
