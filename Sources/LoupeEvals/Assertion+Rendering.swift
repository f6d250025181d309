import LoupeCore
import Mustache

extension Assertion {
    /// The value with every string in it (also inside lists and objects; keys stay as written) rendered as a
    /// Mustache template with the case, HTML escaping off.
    ///
    /// Top-level names are the case's vars, then `vars` (all of them, as an object) and `expected` (when the
    /// case has one), which win over vars of the same name. A string that is a single tag, such as
    /// `"{{expected}}"` or `"{{vars.keywords}}"`, naming a number, boolean, list or object becomes that value
    /// itself, so `equals: "{{expected}}"` compares JSON and `contains-any: "{{keywords}}"` gets the list.
    func renderedValue(_ context: AssertionContext) throws(CheckFailure) -> JSONValue? {
        guard let value else { return nil }
        guard Self.hasTemplate(value) else { return value }
        var scope = context.vars
        scope["vars"] = .object(context.vars)
        if let expected = context.expected { scope["expected"] = expected }
        let mustacheScope = scope.mapValues(EvalTemplate.mustacheValue)
        return try render(value, scope: scope, mustacheScope: mustacheScope)
    }

    private func render(_ value: JSONValue, scope: [String: JSONValue], mustacheScope: [String: Any]) throws(CheckFailure) -> JSONValue {
        switch value {
        case .string(let text):
            guard text.contains("{{") else { return value }
            if let path = Self.singleTagPath(text), let resolved = Self.resolve(path, in: scope) {
                switch resolved {
                case .array, .object, .number, .bool: return resolved
                case .string, .null: break
                }
            }
            let template: MustacheTemplate
            do {
                template = try MustacheTemplate(string: EvalTemplate.plainText + text)
            } catch let error as MustacheTemplate.ParserError {
                let line = error.context.lineNumber
                let column = line == 1 ? error.context.columnNumber - EvalTemplate.plainText.count : error.context.columnNumber
                throw CheckFailure(
                    "\(typeName): the value's template does not parse (line \(line), column \(max(column, 1))): \(error.error)"
                )
            } catch {
                throw CheckFailure("\(typeName): the value's template does not parse: \(error)")
            }
            return .string(template.render(mustacheScope))
        case .array(let items):
            var rendered: [JSONValue] = []
            for item in items { rendered.append(try render(item, scope: scope, mustacheScope: mustacheScope)) }
            return .array(rendered)
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for (key, member) in members { rendered[key] = try render(member, scope: scope, mustacheScope: mustacheScope) }
            return .object(rendered)
        case .null, .bool, .number:
            return value
        }
    }

    /// Whether any string in `value` holds a tag; most values have none and skip the template engine.
    private static func hasTemplate(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.contains("{{")
        case .array(let items): items.contains(where: hasTemplate)
        case .object(let members): members.values.contains(where: hasTemplate)
        case .null, .bool, .number: false
        }
    }

    /// The dotted name in a text that is exactly one variable tag (`{{x.y}}`, `{{{x}}}`, `{{& x}}`), or nil.
    static func singleTagPath(_ text: String) -> [Substring]? {
        var body = Substring(text)
        if body.hasPrefix("{{{") && body.hasSuffix("}}}") {
            body = body.dropFirst(3).dropLast(3)
        } else if body.hasPrefix("{{") && body.hasSuffix("}}") {
            body = body.dropFirst(2).dropLast(2)
            if body.first == "&" { body = body.dropFirst() }
        } else {
            return nil
        }
        let name = body.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        let path = String(name).split(separator: ".", omittingEmptySubsequences: false)
        let isName: (Substring) -> Bool = { part in
            !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
        return path.allSatisfy(isName) ? path : nil
    }

    private static func resolve(_ path: [Substring], in scope: [String: JSONValue]) -> JSONValue? {
        guard let first = path.first, var current = scope[String(first)] else { return nil }
        for key in path.dropFirst() {
            guard let next = current[String(key)] else { return nil }
            current = next
        }
        return current
    }
}
