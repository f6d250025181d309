import LoupeCore

/// A JSON Schema (a draft 2020-12 subset), compiled once and then checked against values in time
/// linear in their size.
///
/// It enforces `type`, `enum`, `const`, `required`, `properties`, `additionalProperties`,
/// `minProperties`, `maxProperties`, `items`, `minItems`, `maxItems`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `true`/`false` schemas, and
/// `$ref` to a JSON pointer within the schema (`#/$defs/name`). Annotations (`title`, `description`,
/// `format`, …) and keywords starting with `x-` are ignored. Any other keyword is refused when the
/// schema is compiled, so a rule the validator cannot enforce never passes silently.
public struct JSONSchema: Sendable {
    /// The compiled schemas: `nodes[0]` is the root, and subschemas refer to each other by index.
    let nodes: [Node]

    /// Compiles `schema`, or throws naming the JSON pointer of the first keyword it cannot use.
    public init(_ schema: JSONValue) throws(InvalidSchema) {
        nodes = try Compiler.compile(schema)
    }

    /// The keywords that validate, in the order error messages list them.
    public static let supportedKeywords = [
        "type", "required", "properties", "additionalProperties", "enum", "const", "items", "minItems", "maxItems",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "minProperties", "maxProperties", "$ref", "$defs",
    ]

    /// Keywords that only describe a value; 2020-12 makes `format` one of them by default.
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$anchor", "$dynamicAnchor", "$vocabulary", "$comment", "title", "description", "default",
        "examples", "example", "format", "deprecated", "readOnly", "writeOnly", "contentEncoding",
        "contentMediaType", "contentSchema",
    ]

    /// Standard keywords this validator cannot enforce; they get a "not supported" error rather than
    /// the "unknown keyword" one.
    static let unsupportedKeywords: Set<String> = [
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependentRequired",
        "dependencies", "prefixItems", "additionalItems", "contains", "minContains", "maxContains", "uniqueItems",
        "unevaluatedItems", "unevaluatedProperties", "pattern", "patternProperties", "propertyNames", "multipleOf",
        "$dynamicRef", "$recursiveRef", "$recursiveAnchor",
    ]
}

extension JSONSchema {
    /// Why a schema cannot be used, at the JSON pointer of the keyword at fault.
    public struct InvalidSchema: Error, Sendable, Hashable, CustomStringConvertible {
        /// JSON pointer into the schema, such as `/properties/age/minimum`; empty for the schema itself.
        public var pointer: String
        /// What is wrong and what would be accepted.
        public var problem: String

        public init(pointer: String, problem: String) {
            self.pointer = pointer
            self.problem = problem
        }

        public var description: String { pointer.isEmpty ? problem : "\(pointer): \(problem)" }
    }

    /// A place where a value breaks the schema.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// JSON pointer into the value, such as `/items/2/price`; empty for the value as a whole.
        public var pointer: String
        /// What is wrong, such as `expected integer, found string`.
        public var message: String

        public init(pointer: String, message: String) {
            self.pointer = pointer
            self.message = message
        }

        public var description: String { pointer.isEmpty ? message : "\(pointer): \(message)" }
    }

    /// The JSON types a `type` keyword names; `number` admits integers too.
    struct Types: OptionSet, Sendable {
        let rawValue: UInt8
        static let null = Types(rawValue: 1 << 0)
        static let boolean = Types(rawValue: 1 << 1)
        static let integer = Types(rawValue: 1 << 2)
        static let number = Types(rawValue: 1 << 3)
        static let string = Types(rawValue: 1 << 4)
        static let array = Types(rawValue: 1 << 5)
        static let object = Types(rawValue: 1 << 6)

        static let byName: [String: Types] = [
            "array": .array, "boolean": .boolean, "integer": .integer, "null": .null, "number": .number,
            "object": .object, "string": .string,
        ]

        func admits(_ value: JSONValue) -> Bool {
            switch value {
            case .null: contains(.null)
            case .bool: contains(.boolean)
            case .number(let number): contains(.number) || (contains(.integer) && Self.isInteger(number))
            case .string: contains(.string)
            case .array: contains(.array)
            case .object: contains(.object)
            }
        }

        /// 2020-12 counts any number with a zero fraction as an integer, so `1.0` is one.
        static func isInteger(_ number: Double) -> Bool {
            number.isFinite && number == number.rounded(.towardZero)
        }
    }

    /// One compiled schema. Absent keywords are nil (or empty), so validation skips them.
    struct Node: Sendable {
        /// The `false` schema, which no value satisfies.
        var rejectsEverything = false
        /// The schema `$ref` points at, applied to the same value as this one.
        var reference: Int?

        var types: Types?
        /// `type` as the message says it, such as `string or null`.
        var typeText = ""
        var constValue: JSONValue?
        var enumValues: [JSONValue]?
        /// Long enums are hashed, so checking a value does not scan the whole list. Hashing agrees
        /// with JSON equality: numbers are all `Double`, so `1` and `1.0` are one value.
        var enumSet: Set<JSONValue>?
        /// `enum` as the message lists it, shortened when long.
        var enumText = ""

        var minimum: Double?
        var maximum: Double?
        var exclusiveMinimum: Double?
        var exclusiveMaximum: Double?

        var minLength: Int?
        var maxLength: Int?

        var items: Int?
        var minItems: Int?
        var maxItems: Int?

        var required: [String] = []
        /// Declared properties sorted by name, so violations come out in a stable order.
        var properties: [(name: String, node: Int)] = []
        var declared: Set<String> = []
        var additionalProperties: Int?
        var minProperties: Int?
        var maxProperties: Int?
    }
}

extension JSONValue {
    /// The JSON type's name as violations report it.
    var schemaTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
