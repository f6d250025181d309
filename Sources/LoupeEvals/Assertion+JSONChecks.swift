import LoupeCore
import LoupeGuardrails

extension Assertion {
    /// `is-json`: the whole output (surrounding whitespace aside) parses as JSON, scalars included; an object
    /// value is a JSON Schema the parsed output must also satisfy.
    func checkIsJSON(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        try checkWholeJSON(text, schema: schema(value, required: false))
    }

    /// `json-schema`: like `is-json` with a schema, which the value must be.
    func checkJSONSchema(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        try checkWholeJSON(text, schema: schema(value, required: true))
    }

    private func checkWholeJSON(_ text: String, schema: JSONSchema?) -> CheckResult {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(bytes: text.utf8)
        } catch {
            return .binary(false, "output is not valid JSON: \(error)")
        }
        guard let schema else { return .binary(true, "output is valid JSON") }
        let violations = schema.validate(parsed)
        if violations.isEmpty { return .binary(true, "output is JSON matching the schema") }
        return .binary(false, "output is JSON but does not match the schema: \(Self.describe(violations))")
    }

    /// `contains-json`: some JSON object or list sits in the output (in a fence, after prose); with an object
    /// value, at least one of those found must satisfy it as a JSON Schema. Scalars do not count.
    func checkContainsJSON(_ text: String, _ value: JSONValue?) throws(CheckFailure) -> CheckResult {
        let schema = try schema(value, required: false)
        let found = JSONExtraction.values(in: text)
        guard let first = found.first else { return .binary(false, "output contains no JSON object or list") }
        guard let schema else { return .binary(true, "output contains JSON: \(ReasonText.json(first))") }
        var firstViolations: [JSONSchema.Violation] = []
        for candidate in found {
            let violations = schema.validate(candidate)
            if violations.isEmpty { return .binary(true, "output contains JSON matching the schema: \(ReasonText.json(candidate))") }
            if firstViolations.isEmpty { firstViolations = violations }
        }
        let count = found.count == 1 ? "1 JSON value" : "\(found.count) JSON values"
        return .binary(false, "output contains \(count), none matching the schema: \(Self.describe(firstViolations))")
    }
}
