import HTTPTypes
import LoupeCore
import LoupeGuardrails

extension APIError {
    /// A guardrail stopped the call: 400 with `code: "guardrail_violation"`, naming the check and category.
    static func guardrailViolation(_ block: GuardrailBlock) -> APIError {
        var guardrail: [String: JSONValue] = [
            "direction": .string(block.direction.rawValue), "check": .string(block.check), "category": .string(block.category),
        ]
        if let detail = block.detail { guardrail["detail"] = .string(detail) }
        return APIError(
            status: .badRequest, message: block.description, code: "guardrail_violation", param: block.check,
            details: ["guardrail": .object(guardrail)]
        )
    }
}
