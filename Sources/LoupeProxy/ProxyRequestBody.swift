import LoupeCore
import NIOCore

/// A client's JSON request body: the fields the proxy routes and records by, and in-place edits.
public struct ProxyRequestBody: Sendable {
    /// Why a body cannot be proxied; each maps to a 400 in OpenAI's error shape.
    public enum Problem: Error, Equatable, Sendable {
        case malformedJSON(String)
        case notAnObject
        case invalidField(name: String, expected: String)
    }

    /// The body as received.
    public let bytes: [UInt8]
    public let model: String?
    public let stream: Bool
    /// `stream_options.include_usage` as the client sent it.
    public let clientIncludesUsage: Bool
    public let user: String?
    /// A registry prompt to render into the messages: `"prompt": {"name", "version"|"label", "variables"}`.
    /// Only an object counts; `/v1/completions` has a `prompt` string of its own.
    public let prompt: PromptReference?
    /// Every top-level field, for rewriting the body around a prompt.
    public let fields: [String: JSONValue]

    /// Parses and validates `bytes` as a JSON object.
    public init(bytes: [UInt8]) throws(Problem) {
        self.bytes = bytes
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes: bytes)
        } catch {
            throw .malformedJSON(error.description)
        }
        guard case .object(let fields) = json else { throw .notAnObject }
        self.fields = fields
        func field<T>(_ name: String, _ expected: String, _ read: (JSONValue) -> T?) throws(Problem) -> T? {
            guard let value = fields[name], value != .null else { return nil }
            guard let typed = read(value) else { throw .invalidField(name: name, expected: expected) }
            return typed
        }
        self.model = try field("model", "a string") { $0.stringValue }
        self.stream = try field("stream", "a boolean") { if case .bool(let flag) = $0 { flag } else { nil } } ?? false
        self.user = try field("user", "a string") { $0.stringValue }
        let options = try field("stream_options", "an object") { if case .object = $0 { $0 } else { nil } }
        if let include = options?["include_usage"], include != .null {
            guard case .bool(let flag) = include else { throw .invalidField(name: "stream_options.include_usage", expected: "a boolean") }
            self.clientIncludesUsage = flag
        } else {
            self.clientIncludesUsage = false
        }
        if case .object(let reference)? = fields["prompt"] {
            self.prompt = try PromptReference(reference)
        } else {
            self.prompt = nil
        }
    }

    /// Request fields that a prompt's `config` fills in when the request leaves them unset; other config
    /// keys (notes, owners) stay in the registry, since providers reject parameters they do not know.
    public static let promptConfigFields: Set<String> = [
        "model", "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "presence_penalty",
        "frequency_penalty", "seed", "response_format", "tools", "tool_choice", "parallel_tool_calls", "logit_bias",
        "logprobs", "top_logprobs", "reasoning_effort", "service_tier", "modalities", "audio", "prediction", "store",
    ]

    /// The body with the rendered `messages` before any the client sent, the prompt's `config` where the
    /// client left a field unset, and no `prompt` field.
    public func applyingPrompt(messages: [PromptMessage], config: [String: JSONValue]) -> [UInt8] {
        var result = fields
        result["prompt"] = nil
        var combined = messages.map { JSONValue.object(["role": .string($0.role), "content": .string($0.content)]) }
        if case .array(let own)? = fields["messages"] { combined += own }
        result["messages"] = .array(combined)
        for (key, value) in config where Self.promptConfigFields.contains(key) && (result[key] == nil || result[key] == .null) {
            result[key] = value
        }
        return Array(JSONValue.object(result).jsonText.utf8)
    }

    /// The body with `model` replaced, keeping every other byte as the client sent it.
    public func replacingModel(with newModel: String, in bytes: [UInt8]) -> [UInt8] {
        guard let scan = JSONObjectScanner.members(of: bytes),
              let member = scan.members.last(where: { $0.key == "model" })
        else { return bytes }
        var result = bytes
        result.replaceSubrange(member.valueRange, with: Array(JSONValue.string(newModel).jsonText.utf8))
        return result
    }

    /// The body with `stream_options.include_usage` set to true, so the provider reports usage on a stream.
    public func requestingUsage(in bytes: [UInt8]) -> [UInt8] {
        guard let scan = JSONObjectScanner.members(of: bytes) else { return bytes }
        var result = bytes
        if let options = scan.members.last(where: { $0.key == "stream_options" }) {
            let optionBytes = Array(bytes[options.valueRange])
            var rebuilt = Array("{\"include_usage\":true".utf8)
            if let inner = JSONObjectScanner.members(of: optionBytes) {
                for member in inner.members where member.key != "include_usage" {
                    rebuilt.append(UInt8(ascii: ","))
                    rebuilt.append(contentsOf: optionBytes[member.memberRange])
                }
            }
            rebuilt.append(UInt8(ascii: "}"))
            result.replaceSubrange(options.valueRange, with: rebuilt)
        } else {
            let separator = scan.members.isEmpty ? "" : ","
            result.insert(contentsOf: Array("\"stream_options\":{\"include_usage\":true}\(separator)".utf8), at: scan.openBrace + 1)
        }
        return result
    }
}
