import LoupeCore
import LoupeGuardrails

extension Assertion {
    /// `is-valid-openai-tools-call`: the answer made at least one tool call, and every call names a function the
    /// case offered, with arguments that are a JSON object satisfying that function's `parameters` schema.
    ///
    /// Empty arguments count as `{}` (some models send `""` for functions without parameters). A schema with a
    /// keyword Loupe's validator does not enforce (`anyOf`, `pattern`…) falls back to checking its top-level
    /// `required` keys, and the reason says so.
    func checkToolsCall(_ output: EvalOutput, tools: JSONValue?) throws(CheckFailure) -> CheckResult {
        let functions = try offeredFunctions(tools)
        guard !output.toolCalls.isEmpty else { return .binary(false, "the answer made no tool calls") }
        var problems: [String] = []
        var notes: [String] = []
        for (index, call) in output.toolCalls.enumerated() {
            let label = "tool call \(index + 1) '\(call.name)'"
            guard let function = functions.first(where: { $0.name == call.name }) else {
                problems.append("\(label) is not an offered function (\(functions.map(\.name).joined(separator: ", ")))")
                continue
            }
            guard let arguments = Self.argumentObject(call.arguments) else {
                problems.append("\(label): its arguments are not a JSON object: \(ReasonText.quote(call.arguments))")
                continue
            }
            guard let parameters = function.parameters else { continue }
            do {
                let violations = try JSONSchema(parameters).validate(.object(arguments))
                if !violations.isEmpty { problems.append("\(label): its arguments do not match the parameters: \(Self.describe(violations))") }
            } catch {
                let required = parameters["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let missing = required.filter { arguments[$0] == nil }
                notes.append("only the required keys of '\(call.name)' were checked, since its schema cannot be validated: \(error)")
                if !missing.isEmpty { problems.append("\(label): its arguments lack \(missing.joined(separator: ", "))") }
            }
        }
        let noteText = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        if problems.isEmpty {
            let names = output.toolCalls.map(\.name).joined(separator: ", ")
            let calls = output.toolCalls.count == 1 ? "the tool call is" : "all \(output.toolCalls.count) tool calls are"
            return .binary(true, "\(calls) valid: \(names)\(noteText)")
        }
        return .binary(false, problems.joined(separator: "; ") + noteText)
    }

    /// The functions in an OpenAI `tools` list (`[{type: function, function: {name, parameters}}]`); entries of
    /// other types are skipped, and a bare `{name, parameters}` is taken as a function too.
    private func offeredFunctions(_ tools: JSONValue?) throws(CheckFailure) -> [(name: String, parameters: JSONValue?)] {
        guard let tools else { throw CheckFailure("\(typeName): the case offers no tools to check the calls against") }
        guard case .array(let entries) = tools else {
            throw CheckFailure("\(typeName): the case's tools are not a list, got \(ReasonText.kindName(tools))")
        }
        var functions: [(name: String, parameters: JSONValue?)] = []
        for entry in entries {
            if let type = entry["type"]?.stringValue, type != "function" { continue }
            let function = entry["function"] ?? entry
            guard let name = function["name"]?.stringValue else { continue }
            functions.append((name, function["parameters"]))
        }
        guard !functions.isEmpty else { throw CheckFailure("\(typeName): the case's tools list no functions") }
        return functions
    }

    /// `tool-call`: some tool call has the value's `name` and, when `arguments` (an object) is given, each of its
    /// keys equals that key of the call's arguments (deep JSON equality per key; other keys may differ).
    func checkToolCall(_ output: EvalOutput, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let expected = "an object with name and optional arguments"
        guard case .object(let members)? = value, let name = members["name"]?.stringValue, !name.isEmpty else {
            throw badValue(value, expected: expected)
        }
        let unknown = members.keys.filter { $0 != "name" && $0 != "arguments" }.sorted()
        guard unknown.isEmpty else { throw CheckFailure("\(typeName) expects \(expected), got also \(unknown.joined(separator: ", "))") }
        var wanted: [String: JSONValue]?
        switch members["arguments"] {
        case nil, .null?: wanted = nil
        case .object(let arguments)?: wanted = arguments
        case .string(let text)?:
            guard case .object(let arguments)? = JSONValue.parse(text) else {
                throw CheckFailure("\(typeName): arguments must be an object, or a string holding a JSON object")
            }
            wanted = arguments
        case let other?:
            throw CheckFailure("\(typeName): arguments must be an object, got \(ReasonText.kindName(other))")
        }
        let calls = output.toolCalls
        guard !calls.isEmpty else { return .binary(false, "the answer made no tool calls (expected '\(name)')") }
        let named = calls.indices.filter { calls[$0].name == name }
        guard !named.isEmpty else {
            return .binary(false, "the answer made no '\(name)' call (it called \(calls.map(\.name).joined(separator: ", ")))")
        }
        guard let wanted else { return .binary(true, "the answer called '\(name)'") }
        let wantedText = ReasonText.json(.object(wanted))
        for index in named {
            guard let arguments = Self.argumentObject(calls[index].arguments) else { continue }
            if wanted.allSatisfy({ arguments[$0.key] == $0.value }) {
                return .binary(true, "tool call \(index + 1) '\(name)' has arguments matching \(wantedText)")
            }
        }
        let seen = named.prefix(3).map { ReasonText.quote(calls[$0].arguments, limit: 60) }.joined(separator: ", ")
        return .binary(false, "no '\(name)' call has arguments matching \(wantedText) (got \(seen))")
    }

    /// A call's arguments as a JSON object; empty text is `{}`; nil when they are not an object.
    static func argumentObject(_ text: String) -> [String: JSONValue]? {
        if text.allSatisfy(\.isWhitespace) { return [:] }
        guard case .object(let members)? = JSONValue.parse(text) else { return nil }
        return members
    }
}
