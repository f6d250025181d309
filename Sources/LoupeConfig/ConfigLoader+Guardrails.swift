import Foundation
import LoupeCore
import LoupeGuardrails

extension ConfigLoader {
    /// Reads `guardrails: {policies, apply}` and builds every rule once, so a bad rule stops the start
    /// with the line of the key at fault. `schema_file` is read relative to the config file.
    static func guardrails(_ node: ConfigNode, baseDirectory: String) throws -> GuardrailsSpec {
        var spec = GuardrailsSpec()
        var applyNode: ConfigNode?
        for (key, value) in try node.mapping(allowed: ["policies", "apply"]) {
            if key == "apply" {
                applyNode = value
                continue
            }
            for (name, policyNode) in try value.mapping() {
                var policy = GuardrailsSpec.Policy()
                for (direction, rulesNode) in try policyNode.mapping(allowed: ["input", "output"]) {
                    let rules = try rulesNode.isNull ? [] : rulesNode.sequence().map { try rule($0, baseDirectory: baseDirectory) }
                    if direction == "input" { policy.input = rules } else { policy.output = rules }
                }
                spec.policies[name] = policy
            }
        }
        let known = spec.policies.keys.sorted().joined(separator: ", ")
        func policyName(_ node: ConfigNode) throws -> String {
            let name = try node.string()
            guard spec.policies[name] != nil else {
                throw node.error(spec.policies.isEmpty ? "unknown policy '\(name)'; no policies are defined under guardrails.policies" : "unknown policy '\(name)'; expected one of: \(known)")
            }
            return name
        }
        if let applyNode {
            for (key, value) in try applyNode.mapping(allowed: ["default", "models", "prompts"]) {
                switch key {
                case "default": spec.defaultPolicy = value.isNull ? nil : try policyName(value)
                case "models": for (model, item) in try value.mapping() { spec.models[model] = try policyName(item) }
                default: for (prompt, item) in try value.mapping() { spec.prompts[prompt] = try policyName(item) }
                }
            }
        } else if spec.policies["default"] != nil {
            // A policy named "default" applies to every call unless `apply` says otherwise.
            spec.defaultPolicy = "default"
        }
        return spec
    }

    private static func rule(_ node: ConfigNode, baseDirectory: String) throws -> GuardrailsSpec.Rule {
        var check: String?
        var action: GuardrailResult.Action?
        var onError = GuardrailRule.ErrorHandling.allow
        var options: [String: JSONValue] = [:]
        var optionNodes: [String: ConfigNode] = [:]
        for (key, value) in try node.mapping() {
            optionNodes[key] = value
            switch key {
            case "check":
                check = try value.string()
            case "action":
                let text = try value.string()
                guard let parsed = GuardrailResult.Action(rawValue: text) else {
                    throw value.error("unknown action '\(text)'; expected one of: block, redact, flag")
                }
                action = parsed
            case "on_error":
                let text = try value.string()
                guard let parsed = GuardrailRule.ErrorHandling(rawValue: text) else {
                    throw value.error("unknown on_error '\(text)'; expected allow or block")
                }
                onError = parsed
            case "schema_file":
                options["schema"] = try schema(file: value, baseDirectory: baseDirectory)
            default:
                options[key] = try value.jsonValue()
            }
        }
        guard let check else {
            throw node.error("missing 'check'; expected one of: \(GuardrailCatalog.checkNames.joined(separator: ", "))")
        }
        guard let action else { throw node.error("missing 'action'; expected one of: block, redact, flag") }
        let spec = GuardrailsSpec.Rule(check: check, action: action, onError: onError, options: GuardrailOptions(options))
        do {
            _ = try GuardrailCatalog.rule(spec)
        } catch {
            let key = error.key == "schema" && optionNodes["schema"] == nil ? "schema_file" : error.key
            let at = key.flatMap { optionNodes[$0] } ?? node
            throw at.error(error.message)
        }
        return spec
    }

    private static func schema(file node: ConfigNode, baseDirectory: String) throws -> JSONValue {
        let path = try node.string()
        let full = path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
        guard let data = FileManager.default.contents(atPath: full) else {
            throw node.error("cannot read the schema file '\(full)'")
        }
        do {
            return try JSONValue.parse(bytes: Array(data))
        } catch {
            throw node.error("the schema file '\(full)' is not valid JSON: \(error)")
        }
    }
}
