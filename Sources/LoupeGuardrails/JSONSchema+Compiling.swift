import LoupeCore

extension JSONSchema {
    /// Turns a schema document into `Node`s, checking every keyword's value on the way.
    struct Compiler {
        /// Deeper schemas are refused rather than risk the stack; real ones nest a handful of levels.
        static let maxDepth = 256

        let document: JSONValue
        var nodes: [Node] = []
        /// Each compiled schema by its JSON pointer, so a `$ref` to it shares the node.
        var nodeAt: [String: Int] = [:]
        var references: [(node: Int, target: String, pointer: String)] = []
        /// Where a subschema declares `$id`, which would change what its `$ref`s resolve against.
        var nestedID: String?

        static func compile(_ document: JSONValue) throws(InvalidSchema) -> [Node] {
            var compiler = Compiler(document: document)
            _ = try compiler.schema(document, at: "", depth: 0)
            // Compiling a target that is not itself reached as a schema (`#/$defs/a` is) may add references.
            var next = 0
            while next < compiler.references.count {
                let reference = compiler.references[next]
                next += 1
                compiler.nodes[reference.node].reference = try compiler.resolve(reference.target, at: reference.pointer)
            }
            try compiler.refuseReferenceLoops()
            // `additionalProperties: true` (or `{}`) constrains nothing; dropping it spares the validator a scan.
            for index in compiler.nodes.indices {
                if let additional = compiler.nodes[index].additionalProperties, compiler.nodes[additional].acceptsEverything {
                    compiler.nodes[index].additionalProperties = nil
                }
            }
            return compiler.nodes
        }

        mutating func schema(_ value: JSONValue, at pointer: String, depth: Int) throws(InvalidSchema) -> Int {
            if let existing = nodeAt[pointer] { return existing }
            guard depth < Self.maxDepth else {
                throw InvalidSchema(pointer: pointer, problem: "schemas nest deeper than \(Self.maxDepth) levels")
            }
            let index = nodes.count
            nodes.append(Node())
            nodeAt[pointer] = index
            switch value {
            case .bool(true):
                break
            case .bool(false):
                nodes[index].rejectsEverything = true
            case .object(let keywords):
                if pointer.isEmpty, case .object? = keywords["schema"], keywords["name"] != nil || keywords["strict"] != nil {
                    throw InvalidSchema(
                        pointer: pointer,
                        problem: "this looks like OpenAI's json_schema wrapper ({name, strict, schema}); give the schema inside its `schema` member"
                    )
                }
                var node = Node()
                // Sorted, so the first error reported does not depend on dictionary order.
                for key in keywords.keys.sorted() {
                    try keyword(key, keywords[key]!, into: &node, nodeIndex: index, at: pointer, depth: depth)
                }
                nodes[index] = node
            default:
                throw InvalidSchema(pointer: pointer, problem: "expected a schema: an object, true or false")
            }
            return index
        }

        mutating func keyword(
            _ key: String, _ value: JSONValue, into node: inout Node, nodeIndex: Int, at schemaPointer: String, depth: Int
        ) throws(InvalidSchema) {
            let pointer = schemaPointer + "/" + Self.escape(key)
            switch key {
            case "type":
                (node.types, node.typeText) = try types(value, at: pointer)
            case "enum":
                guard case .array(let values) = value, !values.isEmpty else {
                    throw InvalidSchema(pointer: pointer, problem: "expected a non-empty list of values")
                }
                node.enumValues = values
                if values.count > 8 { node.enumSet = Set(values) }
                node.enumText = Self.shortened(values.map(\.jsonText).joined(separator: ", "))
            case "const":
                node.constValue = value
            case "required":
                node.required = try strings(value, at: pointer)
            case "properties":
                guard case .object(let schemas) = value else { throw InvalidSchema(pointer: pointer, problem: "expected an object of schemas") }
                for name in schemas.keys.sorted() {
                    let child = try schema(schemas[name]!, at: pointer + "/" + Self.escape(name), depth: depth + 1)
                    node.properties.append((name, child))
                    node.declared.insert(name)
                }
            case "additionalProperties":
                node.additionalProperties = try schema(value, at: pointer, depth: depth + 1)
            case "items":
                if case .array = value {
                    throw InvalidSchema(pointer: pointer, problem: "expected a schema; the list form (one schema per position) is not supported")
                }
                node.items = try schema(value, at: pointer, depth: depth + 1)
            case "minimum": node.minimum = try number(value, at: pointer)
            case "maximum": node.maximum = try number(value, at: pointer)
            case "exclusiveMinimum": node.exclusiveMinimum = try number(value, at: pointer)
            case "exclusiveMaximum": node.exclusiveMaximum = try number(value, at: pointer)
            case "minLength": node.minLength = try count(value, at: pointer)
            case "maxLength": node.maxLength = try count(value, at: pointer)
            case "minItems": node.minItems = try count(value, at: pointer)
            case "maxItems": node.maxItems = try count(value, at: pointer)
            case "minProperties": node.minProperties = try count(value, at: pointer)
            case "maxProperties": node.maxProperties = try count(value, at: pointer)
            case "$ref":
                guard case .string(let target) = value else { throw InvalidSchema(pointer: pointer, problem: "expected a string such as '#/$defs/name'") }
                references.append((nodeIndex, target, pointer))
            case "$defs", "definitions":
                // `definitions` is the pre-2019 name; schemas generated by older tools still use it.
                guard case .object(let schemas) = value else { throw InvalidSchema(pointer: pointer, problem: "expected an object of schemas") }
                for name in schemas.keys.sorted() {
                    _ = try schema(schemas[name]!, at: pointer + "/" + Self.escape(name), depth: depth + 1)
                }
            case "$id" where !schemaPointer.isEmpty:
                nestedID = nestedID ?? pointer
            case _ where JSONSchema.annotationKeywords.contains(key) || key.hasPrefix("x-"):
                break
            case _ where JSONSchema.unsupportedKeywords.contains(key):
                throw InvalidSchema(pointer: pointer, problem: "not supported; \(Self.supportedList)")
            default:
                let hint = Self.suggestion(for: key).map { "did you mean '\($0)'? " } ?? ""
                throw InvalidSchema(
                    pointer: pointer,
                    problem: "unknown keyword; \(hint)\(Self.supportedList) (annotations such as title and description, and keywords starting with x-, are ignored)"
                )
            }
        }

        static let supportedList = "Loupe supports " + JSONSchema.supportedKeywords.joined(separator: ", ")

        func types(_ value: JSONValue, at pointer: String) throws(InvalidSchema) -> (Types, String) {
            let known = Types.byName.keys.sorted().joined(separator: ", ")
            func type(_ name: JSONValue, at pointer: String) throws(InvalidSchema) -> (Types, String) {
                guard case .string(let name) = name else { throw InvalidSchema(pointer: pointer, problem: "expected a type name: one of \(known)") }
                guard let type = Types.byName[name] else {
                    throw InvalidSchema(pointer: pointer, problem: "unknown type '\(name)'; expected one of: \(known)")
                }
                return (type, name)
            }
            switch value {
            case .string:
                return try type(value, at: pointer)
            case .array(let names) where !names.isEmpty:
                var types: Types = []
                var words: [String] = []
                for (position, name) in names.enumerated() {
                    let (one, word) = try type(name, at: pointer + "/\(position)")
                    types.insert(one)
                    words.append(word)
                }
                let text = words.count == 1 ? words[0] : words.dropLast().joined(separator: ", ") + " or " + words.last!
                return (types, text)
            default:
                throw InvalidSchema(pointer: pointer, problem: "expected a type name or a non-empty list of them: \(known)")
            }
        }

        func strings(_ value: JSONValue, at pointer: String) throws(InvalidSchema) -> [String] {
            guard case .array(let items) = value else { throw InvalidSchema(pointer: pointer, problem: "expected a list of property names") }
            var names: [String] = []
            for (position, item) in items.enumerated() {
                guard case .string(let name) = item else { throw InvalidSchema(pointer: pointer + "/\(position)", problem: "expected a property name (a string)") }
                names.append(name)
            }
            return names
        }

        func number(_ value: JSONValue, at pointer: String) throws(InvalidSchema) -> Double {
            guard case .number(let number) = value else {
                // Draft 4 wrote `exclusiveMinimum: true` beside `minimum`; say how to update it.
                if case .bool = value, pointer.hasSuffix("/exclusiveMinimum") || pointer.hasSuffix("/exclusiveMaximum") {
                    throw InvalidSchema(pointer: pointer, problem: "expected a number (the bound itself); the draft 4 true/false form is not supported")
                }
                throw InvalidSchema(pointer: pointer, problem: "expected a number")
            }
            return number
        }

        func count(_ value: JSONValue, at pointer: String) throws(InvalidSchema) -> Int {
            guard case .number(let number) = value, number >= 0, Types.isInteger(number) else {
                throw InvalidSchema(pointer: pointer, problem: "expected a whole number, 0 or more")
            }
            // Anything past Int's range is as good as no limit for a counted length.
            return number < 9_007_199_254_740_992 ? Int(number) : Int.max
        }

        /// The node a `$ref` names: only JSON pointers into this document (`#`, `#/$defs/name`).
        mutating func resolve(_ target: String, at pointer: String) throws(InvalidSchema) -> Int {
            guard target.hasPrefix("#") else {
                throw InvalidSchema(pointer: pointer, problem: "only references within this schema, such as '#/$defs/name', are supported")
            }
            if let nestedID {
                throw InvalidSchema(pointer: pointer, problem: "references are not supported in a schema whose subschemas set $id (at \(nestedID))")
            }
            let fragment = Self.percentDecoded(target.dropFirst())
            guard fragment.isEmpty || fragment.hasPrefix("/") else {
                throw InvalidSchema(pointer: pointer, problem: "anchors such as '\(target)' are not supported; refer to '#/$defs/name'")
            }
            if let existing = nodeAt[fragment] { return existing }
            var value = document
            for token in fragment.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
                let name = Self.unescape(token)
                switch value {
                case .object(let members) where members[name] != nil:
                    value = members[name]!
                case .array(let items) where Int(name).map(items.indices.contains) == true:
                    value = items[Int(name)!]
                default:
                    throw InvalidSchema(pointer: pointer, problem: "no schema at '\(target)'")
                }
            }
            return try schema(value, at: fragment, depth: 0)
        }

        /// Refuses `$ref` chains that come back to where they started without descending into the
        /// value (`a` → `b` → `a`): validating them would never end.
        func refuseReferenceLoops() throws(InvalidSchema) {
            // 0: not yet seen, 1: on the chain being followed, 2: known to end.
            var state = [UInt8](repeating: 0, count: nodes.count)
            for start in nodes.indices where state[start] == 0 {
                var chain: [Int] = []
                var current: Int? = start
                while let index = current, state[index] == 0 {
                    state[index] = 1
                    chain.append(index)
                    current = nodes[index].reference
                }
                if let index = current, state[index] == 1 {
                    let pointer = nodeAt.first { $0.value == index }.map { $0.key + "/$ref" } ?? "/$ref"
                    throw InvalidSchema(pointer: pointer, problem: "this $ref leads back to itself without descending into the value")
                }
                for index in chain { state[index] = 2 }
            }
        }

        /// Escapes a key for a JSON pointer (RFC 6901): `~` as `~0`, `/` as `~1`.
        static func escape(_ key: String) -> String {
            guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
            var escaped = ""
            for character in key {
                switch character {
                case "~": escaped += "~0"
                case "/": escaped += "~1"
                default: escaped.append(character)
                }
            }
            return escaped
        }

        /// Undoes `escape`: `~1` is `/`, then `~0` is `~`.
        static func unescape(_ token: Substring) -> String {
            guard token.utf8.contains(UInt8(ascii: "~")) else { return String(token) }
            var name = ""
            var pendingTilde = false
            for character in token {
                if pendingTilde {
                    pendingTilde = false
                    switch character {
                    case "0": name += "~"
                    case "1": name += "/"
                    default: name += "~"; name.append(character)
                    }
                } else if character == "~" {
                    pendingTilde = true
                } else {
                    name.append(character)
                }
            }
            return pendingTilde ? name + "~" : name
        }

        /// A URI fragment's `%XX` escapes decoded, as `$ref` fragments may carry them.
        static func percentDecoded(_ text: Substring) -> String {
            guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
            var bytes: [UInt8] = []
            let utf8 = Array(text.utf8)
            var index = 0
            while index < utf8.count {
                if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                   let high = hexDigit(utf8[index + 1]), let low = hexDigit(utf8[index + 2]) {
                    bytes.append(high << 4 | low)
                    index += 3
                } else {
                    bytes.append(utf8[index])
                    index += 1
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        static func hexDigit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        static func shortened(_ text: String) -> String {
            text.count <= 120 ? text : String(text.prefix(119)) + "…"
        }

        /// The known keyword closest to a misspelt one, when it is one or two edits away.
        static func suggestion(for key: String) -> String? {
            let candidates = JSONSchema.supportedKeywords + ["definitions"] + JSONSchema.annotationKeywords.sorted()
            var best: (keyword: String, distance: Int)?
            for candidate in candidates {
                let distance = editDistance(key.lowercased(), candidate.lowercased())
                if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
            }
            return best?.keyword
        }

        static func editDistance(_ first: String, _ second: String) -> Int {
            let a = Array(first.unicodeScalars), b = Array(second.unicodeScalars)
            guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
            guard a.count < 64, b.count < 64 else { return .max }
            var previous = Array(0...b.count)
            for i in 1...a.count {
                var current = [i] + Array(repeating: 0, count: b.count)
                for j in 1...b.count {
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                previous = current
            }
            return previous[b.count]
        }
    }
}
