import Foundation
import LoupeConfig
import LoupeCore
import LoupeGuardrails
import Testing

@Suite struct ConfigLoaderGuardrailsTests {
    func error(_ yaml: String, file: String = "loupe.yaml") -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: file, environment: [:])
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func parsesTheDocumentedPolicies() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("schemas"), withIntermediateDirectories: true)
        try #"{"type": "object", "required": ["answer"], "properties": {"answer": {"type": "string"}}}"#
            .write(to: directory.appendingPathComponent("schemas/answer.json"), atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse(yaml: """
            guardrails:
              policies:
                default:
                  input:  [ {check: pii, action: redact}, {check: secrets, action: block}, {check: injection, action: flag} ]
                  output: [ {check: secrets, action: redact}, {check: json_schema, schema_file: schemas/answer.json, action: block} ]
                strict:
                  input: [ {check: pii, action: block, types: [email, credit_card]}, {check: max_input_tokens, max: 1000, action: block} ]
              apply: { default: default, models: { gpt-4o: strict }, prompts: { support/reply: strict } }
            """, file: directory.appendingPathComponent("loupe.yaml").path, environment: [:])
        let spec = config.guardrails
        #expect(spec.policies["default"]?.input.map(\.check) == ["pii", "secrets", "injection"])
        #expect(spec.policies["default"]?.output.last?.options.values["schema"]?["required"] == .array([.string("answer")]))
        #expect(spec.policies["strict"]?.input.first?.options.values["types"] == .array([.string("email"), .string("credit_card")]))
        #expect(spec.policies["strict"]?.input.last?.options.values["max"] == .number(1000))
        let set = try GuardrailPolicySet(spec)
        #expect(set.policy(model: "gpt-4o", prompt: nil)?.name == "strict")
        #expect(set.policy(model: "gpt-4o-mini", prompt: "support/reply")?.name == "strict")
        #expect(set.policy(model: "gpt-4o-mini", prompt: nil)?.name == "default")
    }

    @Test func aPolicyNamedDefaultAppliesWithoutApply() throws {
        let config = try ConfigLoader.parse(yaml: "guardrails:\n  policies:\n    default:\n      input: [ {check: secrets, action: block} ]\n", file: nil, environment: [:])
        #expect(config.guardrails.defaultPolicy == "default")
    }

    @Test func anUnknownCheckNamesItsLine() throws {
        let failure = try #require(error("""
            guardrails:
              policies:
                default:
                  input:
                    - {check: pii, action: redact}
                    - {check: secretz, action: block}
            """))
        #expect(failure.line == 6)
        #expect(failure.message.contains("unknown check 'secretz'"))
        #expect(failure.message.contains("secrets"))
    }

    @Test func badOptionsActionsAndPolicyNamesNameTheirLines() throws {
        let option = try #require(error("guardrails:\n  policies:\n    p:\n      input:\n        - check: pii\n          action: redact\n          types: [email, fax]\n"))
        #expect(option.line == 7 && option.message.contains("fax"))
        let action = try #require(error("guardrails:\n  policies:\n    p:\n      input: [ {check: pii, action: mask} ]\n"))
        #expect(action.line == 4 && action.message.contains("expected one of: block, redact, flag"))
        let redact = try #require(error("guardrails:\n  policies:\n    p:\n      output: [ {check: json_valid, action: redact} ]\n"))
        #expect(redact.message.contains("cannot redact"))
        let apply = try #require(error("guardrails:\n  policies:\n    p:\n      input: []\n  apply:\n    default: q\n"))
        #expect(apply.line == 6 && apply.message.contains("unknown policy 'q'; expected one of: p"))
    }

    @Test func anInvalidSchemaFailsAtStart() throws {
        let inline = try #require(error("guardrails:\n  policies:\n    p:\n      output:\n        - check: json_schema\n          action: block\n          schema: {type: integr}\n"))
        #expect(inline.line == 7 && inline.message.contains("integr"))
        let missing = try #require(error("guardrails:\n  policies:\n    p:\n      output: [ {check: json_schema, action: block, schema_file: nope.json} ]\n"))
        #expect(missing.message.contains("cannot read the schema file"))
    }
}
