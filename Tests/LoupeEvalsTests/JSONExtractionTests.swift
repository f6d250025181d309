import LoupeCore
import Testing

@testable import LoupeEvals

@Suite struct JSONExtractionTests {
    @Test func findsAFencedObjectAfterProse() {
        let text = "Sure! Here it is:\n```json\n{\"name\": \"Ada\", \"tags\": [\"x\"]}\n```\nAnything else?"
        #expect(JSONExtraction.values(in: text) == [.object(["name": .string("Ada"), "tags": .array([.string("x")])])])
    }

    @Test func bracketsInsideStringsDoNotCloseTheValue() {
        let text = #"result: {"a": "} and ]", "b": "quote \" {"} done"#
        #expect(JSONExtraction.values(in: text) == [.object(["a": .string("} and ]"), "b": .string("quote \" {")])])
    }

    @Test func skipsBracesThatAreNotJSONAndKeepsLookingWithoutNesting() {
        let text = #"set {x | x > 1} then [1, 2] and {"k": {"inner": true}}"#
        // The set notation does not parse; the inner object is not reported apart from its parent.
        #expect(JSONExtraction.values(in: text) == [.array([.number(1), .number(2)]), .object(["k": .object(["inner": .bool(true)])])])
        #expect(JSONExtraction.values(in: text, objectsOnly: true) == [.object(["k": .object(["inner": .bool(true)])])])
        #expect(JSONExtraction.firstObject(in: text) == ["k": .object(["inner": .bool(true)])])
    }

    @Test func unbalancedOrAbsentJSONFindsNothing() {
        #expect(JSONExtraction.values(in: "no json here, just 42 and \"text\"").isEmpty)
        #expect(JSONExtraction.values(in: "{\"open\": 1").isEmpty)
        #expect(JSONExtraction.firstObject(in: "[1, 2]") == nil)
    }

    @Test func triesAtMostALimitedNumberOfStarts() {
        // Every one of the 100 leading braces opens a value that never closes; after 64 tries the scan stops,
        // so the object at the end is not reached.
        let text = String(repeating: "{", count: 100) + #" {"a": 1}"#
        #expect(JSONExtraction.values(in: text).isEmpty)
        let fewer = String(repeating: "{", count: 10) + #" {"a": 1}"#
        #expect(JSONExtraction.values(in: fewer) == [.object(["a": .number(1)])])
    }
}
