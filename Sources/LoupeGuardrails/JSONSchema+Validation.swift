import LoupeCore

extension JSONSchema {
    /// Values nested deeper than this are reported rather than followed, so a value built in code (the
    /// parser already stops at 512 levels) cannot exhaust the stack through a recursive schema.
    public static let maxValidationDepth = 1_000

    /// Where `value` breaks the schema, in a stable order, at most `limit` of them; empty when it passes.
    ///
    /// Each part of the value is checked against one schema (plus the `$ref` chain it starts), so the
    /// time is linear in the size of the value. A value of the wrong `type` gets that one violation,
    /// not one per keyword that would also fail.
    public func validate(_ value: JSONValue, limit: Int = 20) -> [Violation] {
        nodes.withUnsafeBufferPointer { nodes in
            var validator = Validator(nodes: nodes, limit: max(limit, 1))
            validator.check(value, against: 0, depth: 0)
            return validator.violations
        }
    }

    /// Whether `value` satisfies the schema; stops at the first violation.
    public func accepts(_ value: JSONValue) -> Bool {
        validate(value, limit: 1).isEmpty
    }

    struct Validator {
        enum Step {
            case key(String)
            case index(Int)
        }

        /// Read in place: copying a `Node` out of an array costs a retain per field, per value checked.
        let nodes: UnsafeBufferPointer<Node>
        let limit: Int
        /// Where the value being checked sits; turned into a JSON pointer only when it breaks a rule.
        var path: [Step] = []
        var violations: [Violation] = []

        var isFull: Bool { violations.count >= limit }

        mutating func report(_ message: String) {
            guard !isFull else { return }
            var pointer = ""
            for step in path {
                switch step {
                case .key(let key): pointer += "/" + Compiler.escape(key)
                case .index(let index): pointer += "/\(index)"
                }
            }
            violations.append(Violation(pointer: pointer, message: message))
        }

        mutating func check(_ value: JSONValue, against index: Int, depth: Int) {
            guard !isFull else { return }
            let node = nodes.baseAddress! + index
            if node.pointee.rejectsEverything {
                report("no value is allowed here")
                return
            }
            if let reference = node.pointee.reference {
                // Reference loops were refused at compile time, so this chain ends.
                check(value, against: reference, depth: depth)
            }
            if let types = node.pointee.types, !types.admits(value) {
                report("expected \(node.pointee.typeText), found \(value.schemaTypeName)")
                return
            }
            if let constValue = node.pointee.constValue, constValue != value {
                report("must be \(Compiler.shortened(constValue.jsonText))")
            }
            if let enumValues = node.pointee.enumValues, !(node.pointee.enumSet?.contains(value) ?? enumValues.contains(value)) {
                let text = node.pointee.enumText
                report(enumValues.count == 1 ? "must be \(text)" : "must be one of: \(text)")
            }
            switch value {
            case .number(let number):
                checkNumber(number, node)
            case .string(let text):
                checkString(text, node)
            case .array(let items):
                checkArray(items, node, depth: depth)
            case .object(let members):
                checkObject(members, node, depth: depth)
            case .null, .bool:
                break
            }
        }

        mutating func checkNumber(_ number: Double, _ node: UnsafePointer<Node>) {
            if let minimum = node.pointee.minimum, !(number >= minimum) { report("must be ≥ \(Self.text(minimum))") }
            if let bound = node.pointee.exclusiveMinimum, !(number > bound) { report("must be > \(Self.text(bound))") }
            if let maximum = node.pointee.maximum, !(number <= maximum) { report("must be ≤ \(Self.text(maximum))") }
            if let bound = node.pointee.exclusiveMaximum, !(number < bound) { report("must be < \(Self.text(bound))") }
        }

        mutating func checkString(_ text: String, _ node: UnsafePointer<Node>) {
            guard node.pointee.minLength != nil || node.pointee.maxLength != nil else { return }
            // JSON Schema counts code points, so an emoji is one character and "é" written as e + accent is two.
            let length = text.unicodeScalars.count
            if let minLength = node.pointee.minLength, length < minLength {
                report("must be at least \(Self.plural(minLength, "character")) long, found \(length)")
            }
            if let maxLength = node.pointee.maxLength, length > maxLength {
                report("must be at most \(Self.plural(maxLength, "character")) long, found \(length)")
            }
        }

        mutating func checkArray(_ items: [JSONValue], _ node: UnsafePointer<Node>, depth: Int) {
            if let minItems = node.pointee.minItems, items.count < minItems {
                report("must have at least \(Self.plural(minItems, "item")), found \(items.count)")
            }
            if let maxItems = node.pointee.maxItems, items.count > maxItems {
                report("must have at most \(Self.plural(maxItems, "item")), found \(items.count)")
            }
            guard let itemSchema = node.pointee.items, !items.isEmpty else { return }
            guard depth < JSONSchema.maxValidationDepth else {
                report("nested deeper than \(JSONSchema.maxValidationDepth) levels; not validated further")
                return
            }
            for (position, item) in items.enumerated() {
                path.append(.index(position))
                check(item, against: itemSchema, depth: depth + 1)
                path.removeLast()
                if isFull { return }
            }
        }

        mutating func checkObject(_ members: [String: JSONValue], _ node: UnsafePointer<Node>, depth: Int) {
            if let minProperties = node.pointee.minProperties, members.count < minProperties {
                report("must have at least \(Self.plural(minProperties, "property", "properties")), found \(members.count)")
            }
            if let maxProperties = node.pointee.maxProperties, members.count > maxProperties {
                report("must have at most \(Self.plural(maxProperties, "property", "properties")), found \(members.count)")
            }
            for name in node.pointee.required where members[name] == nil {
                report("missing required property '\(Self.quoted(name))'")
            }
            let additional = node.pointee.additionalProperties
            guard !node.pointee.properties.isEmpty || additional != nil else { return }
            guard depth < JSONSchema.maxValidationDepth else {
                report("nested deeper than \(JSONSchema.maxValidationDepth) levels; not validated further")
                return
            }
            var declaredPresent = 0
            for (name, schema) in node.pointee.properties {
                guard let member = members[name] else { continue }
                declaredPresent += 1
                checkMember(name, member, against: schema, depth: depth)
                if isFull { return }
            }
            // Usually every member is declared, and counting them spares hashing each name again.
            guard let additional, declaredPresent < members.count else { return }
            // Only undeclared names are sorted, and only when there are some, for a stable order.
            var extras: [String] = []
            for name in members.keys where !node.pointee.declared.contains(name) { extras.append(name) }
            extras.sort()
            for name in extras {
                checkMember(name, members[name]!, against: additional, depth: depth)
                if isFull { return }
            }
        }

        mutating func checkMember(_ name: String, _ member: JSONValue, against schema: Int, depth: Int) {
            // A `false` property schema reads better as a fault of the object than of the member.
            if nodes[schema].rejectsEverything {
                report("property '\(Self.quoted(name))' is not allowed")
                return
            }
            path.append(.key(name))
            check(member, against: schema, depth: depth + 1)
            path.removeLast()
        }

        static func text(_ number: Double) -> String {
            JSONValue.number(number).jsonText
        }

        static func plural(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
            "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
        }

        /// A property name from the value, cut short so a hostile one cannot flood the message.
        static func quoted(_ name: String) -> String {
            name.unicodeScalars.count <= 64 ? name : String(String.UnicodeScalarView(name.unicodeScalars.prefix(63))) + "…"
        }
    }
}

extension JSONSchema.Node {
    /// True for `true` and `{}`, which constrain nothing.
    var acceptsEverything: Bool {
        !rejectsEverything && reference == nil && types == nil && constValue == nil && enumValues == nil
            && minimum == nil && maximum == nil && exclusiveMinimum == nil && exclusiveMaximum == nil
            && minLength == nil && maxLength == nil && items == nil && minItems == nil && maxItems == nil
            && required.isEmpty && properties.isEmpty && additionalProperties == nil
            && minProperties == nil && maxProperties == nil
    }
}
