import LoupeCore

/// Every built-in check by its config name, and the rules built from specs.
public enum GuardrailCatalog {
    /// Check names that config may use.
    public static let checkNames = [
        "pii", "secrets", "injection", "regex", "ban_list", "max_input_tokens", "max_chars", "json_valid", "json_schema",
        "contains", "not_contains", LLMJudge.name,
    ]

    /// Builds the rule `spec` describes; the error names the key at fault.
    public static func rule(_ spec: GuardrailsSpec.Rule) throws(GuardrailOptionError) -> GuardrailRule {
        let options = spec.options
        let kind: GuardrailRule.Kind
        switch spec.check {
        case "pii": kind = .check(try PIICheck(options: options))
        case "secrets": kind = .check(try SecretsCheck(options: options))
        case "injection": kind = .check(try InjectionCheck(options: options))
        case "regex": kind = .check(try RegexCheck(options: options))
        case "ban_list": kind = .check(try BanListCheck(options: options))
        case "max_input_tokens": kind = .check(try MaxInputTokensCheck(options: options))
        case "max_chars": kind = .check(try MaxCharsCheck(options: options))
        case "json_valid": kind = .check(try JSONValidCheck(options: options))
        case "json_schema": kind = .check(try JSONSchemaCheck(options: options))
        case "contains": kind = .check(try ContainsCheck(options: options))
        case "not_contains": kind = .check(try NotContainsCheck(options: options))
        case LLMJudge.name: kind = .judge(try LLMJudge(options: options))
        default:
            throw GuardrailOptionError(key: "check", message: "unknown check '\(spec.check)'; expected one of: \(checkNames.joined(separator: ", "))")
        }
        if spec.action == .redact, case .check(let check) = kind, !check.canRedact {
            throw GuardrailOptionError(
                key: "action",
                message: "'\(spec.check)' judges the whole text, so it cannot redact; use block or flag"
            )
        }
        return GuardrailRule(kind, action: spec.action, onError: spec.onError)
    }
}
