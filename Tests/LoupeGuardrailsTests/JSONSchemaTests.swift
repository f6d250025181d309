import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct JSONSchemaTests {
    /// One schema, one value, and the violations expected: pointer and a fragment of the message.
    struct Case: CustomTestStringConvertible {
        var schema: String
        var value: String
        var expected: [(pointer: String, fragment: String)]
        var testDescription: String { "\(schema) ⟵ \(value)" }
    }

    static func schema(_ text: String) throws -> JSONSchema {
        let json = try #require(JSONValue.parse(text), "schema text is not JSON: \(text)")
        return try JSONSchema(json)
    }

    static func value(_ text: String) throws -> JSONValue {
        try #require(JSONValue.parse(text), "value text is not JSON: \(text)")
    }

    static let cases: [Case] = [
        // type
        Case(schema: #"{"type": "string"}"#, value: #""hi""#, expected: []),
        Case(schema: #"{"type": "string"}"#, value: "42", expected: [("", "expected string, found number")]),
        Case(schema: #"{"type": "object"}"#, value: "[]", expected: [("", "expected object, found array")]),
        Case(schema: #"{"type": "array"}"#, value: "{}", expected: [("", "expected array, found object")]),
        Case(schema: #"{"type": "boolean"}"#, value: "0", expected: [("", "expected boolean, found number")]),
        Case(schema: #"{"type": "null"}"#, value: "false", expected: [("", "expected null, found boolean")]),
        Case(schema: #"{"type": ["string", "null"]}"#, value: "null", expected: []),
        Case(schema: #"{"type": ["string", "null"]}"#, value: "1", expected: [("", "expected string or null, found number")]),
        Case(schema: #"{"type": ["string", "integer", "null"]}"#, value: "{}", expected: [("", "expected string, integer or null, found object")]),
        // integer against number
        Case(schema: #"{"type": "integer"}"#, value: "3", expected: []),
        Case(schema: #"{"type": "integer"}"#, value: "3.0", expected: []),
        Case(schema: #"{"type": "integer"}"#, value: "-0", expected: []),
        Case(schema: #"{"type": "integer"}"#, value: "1e3", expected: []),
        Case(schema: #"{"type": "integer"}"#, value: "3.5", expected: [("", "expected integer, found number")]),
        Case(schema: #"{"type": "integer"}"#, value: #""3""#, expected: [("", "expected integer, found string")]),
        Case(schema: #"{"type": "number"}"#, value: "3", expected: []),
        Case(schema: #"{"type": "number"}"#, value: "3.5", expected: []),
        Case(schema: #"{"type": ["integer", "string"]}"#, value: "0.5", expected: [("", "expected integer or string, found number")]),
        // a type mismatch is reported alone, not with every keyword that also fails
        Case(schema: #"{"type": "string", "minLength": 3, "enum": ["abc"]}"#, value: "1", expected: [("", "expected string, found number")]),
        // numbers
        Case(schema: #"{"minimum": 0}"#, value: "0", expected: []),
        Case(schema: #"{"minimum": 0}"#, value: "-1", expected: [("", "must be ≥ 0")]),
        Case(schema: #"{"maximum": 1.5}"#, value: "1.6", expected: [("", "must be ≤ 1.5")]),
        Case(schema: #"{"exclusiveMinimum": 0}"#, value: "0", expected: [("", "must be > 0")]),
        Case(schema: #"{"exclusiveMaximum": 10}"#, value: "10", expected: [("", "must be < 10")]),
        Case(schema: #"{"exclusiveMaximum": 10}"#, value: "9.999", expected: []),
        Case(schema: #"{"minimum": 1, "maximum": 0}"#, value: "0.5", expected: [("", "must be ≥ 1"), ("", "must be ≤ 0")]),
        // bounds on numbers ignore other types
        Case(schema: #"{"minimum": 5, "minLength": 5}"#, value: #""abcdef""#, expected: []),
        // strings, counted in code points
        Case(schema: #"{"minLength": 2}"#, value: #""a""#, expected: [("", "must be at least 2 characters long, found 1")]),
        Case(schema: #"{"maxLength": 3}"#, value: #""abcd""#, expected: [("", "must be at most 3 characters long, found 4")]),
        Case(schema: #"{"maxLength": 3}"#, value: #""héé""#, expected: []),
        Case(schema: #"{"maxLength": 2}"#, value: #""😀😀""#, expected: []),
        Case(schema: #"{"maxLength": 1}"#, value: #""😀😀""#, expected: [("", "found 2")]),
        Case(schema: #"{"minLength": 2}"#, value: #""\ud83d\ude00""#, expected: [("", "found 1")]),
        // "é" as e + combining accent is one Character but two code points, and JSON Schema counts code points
        Case(schema: #"{"maxLength": 1}"#, value: #""e\u0301""#, expected: [("", "at most 1 character long, found 2")]),
        Case(schema: #"{"maxLength": 1}"#, value: #""🇫🇷""#, expected: [("", "found 2")]),
        // enum and const, with JSON equality
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: #""a""#, expected: []),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: "1.0", expected: []),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: "null", expected: []),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: "[1.0]", expected: []),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: #"{"k": "v"}"#, expected: []),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: "false", expected: [("", #"must be one of: "a", 1, null, true, [1], {"k":"v"}"#)]),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: #""1""#, expected: [("", "must be one of")]),
        Case(schema: #"{"enum": ["a", 1, null, true, [1], {"k": "v"}]}"#, value: "[1, 1]", expected: [("", "must be one of")]),
        Case(schema: #"{"enum": [1]}"#, value: "true", expected: [("", "must be 1")]),
        Case(schema: #"{"const": 1}"#, value: "1.0", expected: []),
        Case(schema: #"{"const": 1}"#, value: "true", expected: [("", "must be 1")]),
        Case(schema: #"{"const": null}"#, value: "null", expected: []),
        Case(schema: #"{"const": null}"#, value: "0", expected: [("", "must be null")]),
        Case(schema: #"{"const": {"a": [1, 2]}}"#, value: #"{"a": [1, 2.0]}"#, expected: []),
        Case(schema: #"{"const": {"a": [1, 2]}}"#, value: #"{"a": [2, 1]}"#, expected: [("", #"must be {"a":[1,2]}"#)]),
        // objects
        Case(
            schema: #"{"type": "object", "required": ["name", "age"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}"#,
            value: #"{"name": "Ada", "age": 36}"#, expected: []
        ),
        Case(
            schema: #"{"type": "object", "required": ["name", "age"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}"#,
            value: #"{"age": -1}"#, expected: [("", "missing required property 'name'"), ("/age", "must be ≥ 0")]
        ),
        Case(
            schema: #"{"required": ["a"], "properties": {"b": {"type": "string"}}}"#,
            value: #"{"b": 1}"#, expected: [("", "missing required property 'a'"), ("/b", "expected string, found number")]
        ),
        // `required` and `properties` only apply to objects
        Case(schema: #"{"required": ["a"]}"#, value: "[]", expected: []),
        Case(schema: #"{"properties": {"a": {"type": "string"}}}"#, value: #"{"b": 1}"#, expected: []),
        Case(
            schema: #"{"properties": {"a": {}}, "additionalProperties": false}"#,
            value: #"{"a": 1, "z": 2, "b": 3}"#, expected: [("", "property 'b' is not allowed"), ("", "property 'z' is not allowed")]
        ),
        Case(schema: #"{"properties": {"a": {}}, "additionalProperties": false}"#, value: #"{"a": 1}"#, expected: []),
        Case(
            schema: #"{"properties": {"a": {}}, "additionalProperties": {"type": "number"}}"#,
            value: #"{"a": "x", "b": 2, "c": "three"}"#, expected: [("/c", "expected number, found string")]
        ),
        Case(schema: #"{"properties": {"secret": false}}"#, value: #"{"secret": 1}"#, expected: [("", "property 'secret' is not allowed")]),
        Case(schema: #"{"minProperties": 1}"#, value: "{}", expected: [("", "must have at least 1 property, found 0")]),
        Case(schema: #"{"maxProperties": 1}"#, value: #"{"a": 1, "b": 2}"#, expected: [("", "must have at most 1 property, found 2")]),
        // arrays
        Case(schema: #"{"items": {"type": "integer"}}"#, value: "[1, 2, 3]", expected: []),
        Case(schema: #"{"items": {"type": "integer"}}"#, value: #"[1, "2", 3.5]"#, expected: [("/1", "expected integer, found string"), ("/2", "expected integer, found number")]),
        Case(schema: #"{"minItems": 2}"#, value: "[1]", expected: [("", "must have at least 2 items, found 1")]),
        Case(schema: #"{"maxItems": 1}"#, value: "[1, 2]", expected: [("", "must have at most 1 item, found 2")]),
        Case(schema: #"{"items": false}"#, value: "[]", expected: []),
        Case(schema: #"{"items": false}"#, value: "[0]", expected: [("/0", "no value is allowed here")]),
        // nesting, and pointers escaped as RFC 6901 says
        Case(
            schema: #"""
            {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["price"],
             "properties": {"price": {"type": "number", "minimum": 0}, "tags": {"items": {"type": "string", "maxLength": 3}}}}}}}
            """#,
            value: #"{"items": [{"price": 1}, {"price": 2, "tags": ["ok", "long"]}, {"price": -5}, {}]}"#,
            expected: [
                ("/items/1/tags/1", "must be at most 3 characters long, found 4"),
                ("/items/2/price", "must be ≥ 0"),
                ("/items/3", "missing required property 'price'"),
            ]
        ),
        Case(
            schema: #"{"properties": {"a/b": {"properties": {"c~d": {"type": "string"}}}}}"#,
            value: #"{"a/b": {"c~d": 1}}"#, expected: [("/a~1b/c~0d", "expected string, found number")]
        ),
        // boolean schemas and the empty schema
        Case(schema: "true", value: #"{"anything": [1, "x"]}"#, expected: []),
        Case(schema: "{}", value: "null", expected: []),
        Case(schema: "false", value: "null", expected: [("", "no value is allowed here")]),
        // annotations are ignored
        Case(
            schema: #"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://x/y", "title": "T", "description": "D", "default": 1, "examples": [1], "$comment": "c", "format": "email", "x-order": 1, "type": "string"}"#,
            value: #""not an email""#, expected: []
        ),
        // $ref to $defs, including a recursive schema
        Case(
            schema: ##"{"$defs": {"price": {"type": "number", "minimum": 0}}, "properties": {"a": {"$ref": "#/$defs/price"}, "b": {"$ref": "#/$defs/price"}}}"##,
            value: #"{"a": 1, "b": -1}"#, expected: [("/b", "must be ≥ 0")]
        ),
        Case(
            schema: ##"{"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "required": ["value"], "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}}"##,
            value: #"{"value": 1, "children": [{"value": 2, "children": [{"value": "x"}]}, {}]}"#,
            expected: [("/children/0/children/0/value", "expected integer, found string"), ("/children/1", "missing required property 'value'")]
        ),
        Case(
            schema: ##"{"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["id"]}"##,
            value: #"{"id": 1, "next": {"id": 2, "next": {}}}"#, expected: [("/next/next", "missing required property 'id'")]
        ),
        Case(
            schema: ##"{"definitions": {"name": {"type": "string"}}, "items": {"$ref": "#/definitions/name"}}"##,
            value: #"["a", 1]"#, expected: [("/1", "expected string, found number")]
        ),
        // $ref beside other keywords applies both
        Case(
            schema: ##"{"$defs": {"short": {"maxLength": 2}}, "$ref": "#/$defs/short", "minLength": 2}"##,
            value: #""abc""#, expected: [("", "at most 2 characters")]
        ),
    ]

    @Test(arguments: cases)
    func violations(_ item: Case) throws {
        let violations = try Self.schema(item.schema).validate(Self.value(item.value))
        #expect(violations.count == item.expected.count, "got \(violations.map(\.description))")
        for (violation, expected) in zip(violations, item.expected) {
            #expect(violation.pointer == expected.pointer, "got \(violation.description)")
            #expect(violation.message.contains(expected.fragment), "got \(violation.description)")
        }
    }

    @Test func violationDescriptionLeadsWithThePointer() throws {
        let schema = try Self.schema(#"{"properties": {"answer": {"type": "string"}}}"#)
        #expect(try schema.validate(Self.value(#"{"answer": 42}"#)).map(\.description) == ["/answer: expected string, found number"])
        #expect(try schema.validate(Self.value("[]")).isEmpty)
        let root = try Self.schema(#"{"type": "object"}"#)
        #expect(try root.validate(Self.value("[]")).map(\.description) == ["expected object, found array"])
        #expect(root.accepts(.object([:])))
        #expect(!root.accepts(.array([])))
    }

    @Test func violationsAreCappedAndComeInAStableOrder() throws {
        let schema = try Self.schema(#"{"items": {"type": "string"}}"#)
        let value = JSONValue.array((0..<1000).map { .number(Double($0)) })
        let violations = schema.validate(value)
        #expect(violations.count == 20)
        #expect(violations.first?.pointer == "/0")
        #expect(violations.last?.pointer == "/19")
        #expect(schema.validate(value, limit: 3).map(\.pointer) == ["/0", "/1", "/2"])
        #expect(schema.validate(value, limit: 0).count == 1, "a limit below 1 still reports whether the value fails")

        // Undeclared names are reported in sorted order, whatever the dictionary's order.
        let closed = try Self.schema(#"{"additionalProperties": false}"#)
        let members = Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0 + 10)", JSONValue.null) })
        let messages = closed.validate(.object(members), limit: 100).map(\.message)
        #expect(messages.count == 50)
        #expect(messages == messages.sorted())
    }

    @Test func longEnumsUseJSONEqualityToo() throws {
        // Past 8 values the enum is hashed; it must agree with the list scan on what is equal.
        let values = #"[0, 1, 2.5, "a", "b", "c", null, true, [1, 2], {"a": 2, "b": 1}, "k", "l"]"#
        for schemaText in [#"{"enum": \#(values)}"#, #"{"enum": [0, 1, 2.5, [1, 2], {"a": 2, "b": 1}]}"#] {
            let schema = try Self.schema(schemaText)
            for accepted in ["1.0", "-0", "0.0", "2.5", "[1.0, 2]", #"{"b": 1, "a": 2.0}"#] {
                #expect(try schema.validate(Self.value(accepted)).isEmpty, "\(accepted) against \(schemaText)")
            }
            for refused in ["3", "[2, 1]", #"{"a": 2}"#, #""1""#, "false"] {
                #expect(try schema.validate(Self.value(refused)).count == 1, "\(refused) against \(schemaText)")
            }
        }
    }

    @Test func requiredNamesAreReportedInSchemaOrder() throws {
        let schema = try Self.schema(#"{"required": ["zeta", "alpha", "mid"]}"#)
        #expect(schema.validate(.object([:])).map(\.message) == [
            "missing required property 'zeta'", "missing required property 'alpha'", "missing required property 'mid'",
        ])
    }

    @Test func longPropertyNamesAreCutShortInMessages() throws {
        let schema = try Self.schema(#"{"additionalProperties": false}"#)
        let name = String(repeating: "x", count: 10_000)
        let message = try #require(schema.validate(.object([name: .null])).first?.message)
        #expect(message.count < 100)
        #expect(message.hasPrefix("property 'xxxx"))
    }

    // MARK: Invalid schemas

    static let invalidSchemas: [(schema: String, message: String)] = [
        (#"{"properties": {"age": {"minimum": "0"}}}"#, "/properties/age/minimum: expected a number"),
        (#"{"type": "integr"}"#, "/type: unknown type 'integr'; expected one of: array, boolean, integer, null, number, object, string"),
        (#"{"type": ["string", "nul"]}"#, "/type/1: unknown type 'nul'; expected one of: array, boolean, integer, null, number, object, string"),
        (#"{"type": []}"#, "/type: expected a type name or a non-empty list of them"),
        (#"{"type": 1}"#, "/type: expected a type name or a non-empty list of them"),
        (#"{"oneOf": [{"type": "string"}]}"#, "/oneOf: not supported; Loupe supports type, required, properties, additionalProperties, enum, const, items, minItems, maxItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength"),
        (#"{"properties": {"a": {"anyOf": []}}}"#, "/properties/a/anyOf: not supported"),
        (#"{"pattern": "^a"}"#, "/pattern: not supported"),
        (#"{"uniqueItems": true}"#, "/uniqueItems: not supported"),
        (#"{"minimun": 0}"#, "/minimun: unknown keyword; did you mean 'minimum'?"),
        (#"{"requried": ["a"]}"#, "/requried: unknown keyword; did you mean 'required'?"),
        (#"{"nullable": true}"#, "/nullable: unknown keyword; Loupe supports type"),
        (#"{"required": "name"}"#, "/required: expected a list of property names"),
        (#"{"required": ["a", 2]}"#, "/required/1: expected a property name (a string)"),
        (#"{"properties": []}"#, "/properties: expected an object of schemas"),
        (#"{"properties": {"a": 1}}"#, "/properties/a: expected a schema: an object, true or false"),
        (#"{"properties": {"a/b": {"type": "strin"}}}"#, "/properties/a~1b/type: unknown type 'strin'"),
        (#"{"additionalProperties": "no"}"#, "/additionalProperties: expected a schema"),
        (#"{"items": [{"type": "string"}]}"#, "/items: expected a schema; the list form (one schema per position) is not supported"),
        (#"{"enum": []}"#, "/enum: expected a non-empty list of values"),
        (#"{"enum": "a"}"#, "/enum: expected a non-empty list of values"),
        (#"{"minLength": -1}"#, "/minLength: expected a whole number, 0 or more"),
        (#"{"maxItems": 1.5}"#, "/maxItems: expected a whole number, 0 or more"),
        (#"{"minimum": 0, "exclusiveMinimum": true}"#, "/exclusiveMinimum: expected a number (the bound itself); the draft 4 true/false form is not supported"),
        (#"{"$ref": "https://example.com/schema.json"}"#, "/$ref: only references within this schema, such as '#/$defs/name', are supported"),
        (##"{"$ref": "#/$defs/missing"}"##, "/$ref: no schema at '#/$defs/missing'"),
        (##"{"$ref": "#anchor"}"##, "/$ref: anchors such as '#anchor' are not supported"),
        (#"{"$ref": 1}"#, "/$ref: expected a string"),
        (##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##, "$ref: this $ref leads back to itself without descending into the value"),
        (##"{"$ref": "#"}"##, "/$ref: this $ref leads back to itself"),
        (##"{"$defs": {"a": {"$id": "a.json", "type": "string"}}, "$ref": "#/$defs/a"}"##, "/$ref: references are not supported in a schema whose subschemas set $id (at /$defs/a/$id)"),
        (#"{"$defs": {"a": {"type": "strng"}}}"#, "/$defs/a/type: unknown type 'strng'"),
        (#"{"name": "answer", "strict": true, "schema": {"type": "object"}}"#, "this looks like OpenAI's json_schema wrapper"),
        ("[]", "expected a schema: an object, true or false"),
        ("1", "expected a schema: an object, true or false"),
    ]

    @Test(arguments: invalidSchemas)
    func invalidSchemaIsRefusedWithItsPointer(_ item: (schema: String, message: String)) throws {
        let json = try Self.value(item.schema)
        let error = #expect(throws: JSONSchema.InvalidSchema.self) { try JSONSchema(json) }
        #expect(error?.description.contains(item.message) == true, "got: \(error?.description ?? "no error")")
    }

    @Test func refTargetOutsideDefsIsCompiled() throws {
        // A $ref may point anywhere in the document, not only under $defs.
        let schema = try Self.schema(##"{"properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a"}}}"##)
        #expect(try schema.validate(Self.value(#"{"a": "x", "b": 2}"#)).map(\.description) == ["/b: expected string, found number"])
        let percent = try Self.schema(##"{"$defs": {"a b": {"type": "string"}}, "$ref": "#/$defs/a%20b"}"##)
        #expect(percent.validate(.number(1)).map(\.message) == ["expected string, found number"])
    }

    @Test func deeplyNestedSchemaIsRefusedNotCrashed() throws {
        var schema = JSONValue.object([:])
        for _ in 0..<300 { schema = .object(["items": schema]) }
        #expect(throws: JSONSchema.InvalidSchema.self) { try JSONSchema(schema) }
        var fine = JSONValue.object(["type": .string("integer")])
        for _ in 0..<100 { fine = .object(["items": fine]) }
        var value = JSONValue.string("leaf")
        for _ in 0..<101 { value = .array([value]) }
        let violations = try JSONSchema(fine).validate(value)
        #expect(violations.count == 1)
        #expect(violations.first?.pointer == String(repeating: "/0", count: 100))
        #expect(violations.first?.message == "expected integer, found array")
    }

    @Test func recursiveSchemaStopsAtTheDepthLimit() throws {
        let schema = try Self.schema(##"{"$defs": {"list": {"type": "array", "items": {"$ref": "#/$defs/list"}}}, "$ref": "#/$defs/list"}"##)
        var value = JSONValue.array([])
        for _ in 0..<(JSONSchema.maxValidationDepth + 10) { value = .array([value]) }
        let violations = schema.validate(value)
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("nested deeper than") == true)
        var shallow = JSONValue.array([.string("x")])
        for _ in 0..<400 { shallow = .array([shallow]) }
        #expect(schema.validate(shallow).first?.message == "expected array, found string")
    }

    @Test func validationIsLinearInTheValueSize() throws {
        // 20,000 objects checked against a schema with every kind of rule; a quadratic step would take minutes.
        let schema = try Self.schema(#"""
        {"type": "array", "items": {"type": "object", "required": ["id", "name"], "additionalProperties": false,
         "properties": {"id": {"type": "integer", "minimum": 0}, "name": {"type": "string", "maxLength": 10},
                        "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}}}}}
        """#)
        let item = JSONValue.object(["id": .number(1), "name": .string("name"), "tags": .array([.string("a"), .string("c")])])
        let value = JSONValue.array(Array(repeating: item, count: 20_000))
        let start = ContinuousClock.now
        #expect(schema.validate(value).isEmpty)
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}
