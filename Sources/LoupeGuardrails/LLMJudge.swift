import Foundation
import LoupeCore

/// `llm_judge`: asks a model, through Loupe's own proxy, whether a text passes, with a prompt from the registry.
///
/// The prompt receives `{{text}}` and `{{direction}}`. The model answers `PASS` or `FAIL` (optionally followed
/// by a category, `FAIL: off_topic`), or JSON `{"pass": false, "category": "toxic"}`.
public struct LLMJudge: Sendable, Hashable {
    public static let name = "llm_judge"
    /// The registry prompt's name.
    public var prompt: String
    /// A label to pick the prompt's version; nil takes the deployed one.
    public var label: String?
    /// The model to ask; nil uses the model the prompt's config names.
    public var model: String?
    public var timeoutMs: Int
    /// The category recorded when the model's answer names none.
    public var category: String

    public init(options: GuardrailOptions) throws(GuardrailOptionError) {
        try options.allowOnly(["prompt", "label", "model", "timeout_ms", "category"])
        guard let prompt = try options.string("prompt"), !prompt.isEmpty else {
            throw GuardrailOptionError(key: "prompt", message: "required: the registry prompt that asks the question, such as prompt: guardrails/topic")
        }
        self.prompt = prompt
        label = try options.string("label")
        model = try options.string("model")
        timeoutMs = try options.int("timeout_ms", in: 1...600_000) ?? 5000
        category = try options.string("category") ?? "judged_unsafe"
    }

    /// The judge's decision.
    public enum Verdict: Sendable, Hashable {
        case pass
        case fail(category: String)
    }

    /// Reads a model's answer; nil when it is neither PASS nor FAIL.
    public func verdict(fromAnswer answer: String) -> Verdict? {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{"), let json = JSONValue.parse(trimmed), case .bool(let pass)? = json["pass"] {
            return pass ? .pass : .fail(category: json["category"]?.stringValue ?? category)
        }
        let words = trimmed.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
        guard let first = words.first?.uppercased() else { return nil }
        switch first {
        case "PASS", "SAFE", "ALLOW": return .pass
        case "FAIL", "UNSAFE", "BLOCK": return .fail(category: words.dropFirst().first.map { String($0).lowercased() } ?? category)
        default: return nil
        }
    }
}

/// Asks the judge model; the server implements it by sending a chat request through its own proxy.
public protocol GuardrailJudge: Sendable {
    /// The model's raw answer for `text`, or a thrown error when it could not be had in time.
    func answer(_ judge: LLMJudge, text: String, direction: GuardrailResult.Direction) async throws -> String
}
