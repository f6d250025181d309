import Foundation

/// A canned answer for requests whose last user message contains `when` (ignoring case): a scripted model
/// for sample suites, whose answers then depend on what the prompt sends.
public struct FakeScriptedReply: Sendable, Hashable, Decodable {
    public var when: String
    public var reply: String

    public init(when: String, reply: String) {
        self.when = when
        self.reply = reply
    }

    /// Reads `[{"when": …, "reply": …}]` from a JSON file.
    public static func load(path: String) throws -> [FakeScriptedReply] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FakeUpstreamError(description: "The replies file \(path) cannot be read.")
        }
        return try JSONDecoder().decode([FakeScriptedReply].self, from: data)
    }

    /// The first reply whose `when` the request's last user message contains.
    static func match(_ replies: [FakeScriptedReply], in request: FakeJSON) -> String? {
        guard !replies.isEmpty, case .array(let messages)? = request["messages"] else { return nil }
        guard let last = messages.last(where: { $0["role"]?.stringValue == "user" }) else { return nil }
        let text: String
        switch last["content"] {
        case .string(let content)?: text = content
        case .array(let parts)?: text = parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default: return nil
        }
        let lowered = text.lowercased()
        return replies.first { lowered.contains($0.when.lowercased()) }?.reply
    }
}
