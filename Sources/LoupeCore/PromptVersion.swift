import Foundation

/// One message of a chat prompt, before rendering.
public struct PromptMessage: Sendable, Hashable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A prompt's template: one text, or a list of chat messages.
public enum PromptTemplate: Sendable, Hashable {
    case text(String)
    case chat([PromptMessage])

    /// `text` or `chat`, as prompt files and the API name it.
    public var type: String {
        switch self {
        case .text: "text"
        case .chat: "chat"
        }
    }

    /// The template as JSON: a string, or a list of `{role, content}` objects.
    public var json: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .chat(let messages):
            .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
        }
    }

    /// Reads `json` as a template of the given type; nil when it is not one.
    public init?(type: String, json: JSONValue) {
        switch (type, json) {
        case ("text", .string(let text)): self = .text(text)
        case ("chat", .array(let items)):
            var messages: [PromptMessage] = []
            for item in items {
                guard case .object(let fields) = item, let role = fields["role"]?.stringValue,
                      let content = fields["content"]?.stringValue
                else { return nil }
                messages.append(PromptMessage(role: role, content: content))
            }
            self = .chat(messages)
        default: return nil
        }
    }
}

/// What makes a new prompt version: the content, and the labels to put on it.
public struct PromptDraft: Sendable, Hashable {
    public var name: String
    public var template: PromptTemplate
    public var config: [String: JSONValue]
    public var tags: [String]
    public var labels: [String]
    public var commitMessage: String?

    public init(
        name: String, template: PromptTemplate, config: [String: JSONValue] = [:], tags: [String] = [],
        labels: [String] = [], commitMessage: String? = nil
    ) {
        self.name = name
        self.template = template
        self.config = config
        self.tags = tags
        self.labels = labels
        self.commitMessage = commitMessage
    }

    /// The canonical JSON of what a version's content is (type, template, config, tags): equal content,
    /// equal text, whatever the key order it was written in. Labels and the commit message are not content.
    public var canonicalContent: String {
        JSONValue.object([
            "type": .string(template.type), "prompt": template.json, "config": .object(config),
            "tags": .array(tags.map(JSONValue.string)),
        ]).jsonText
    }
}

/// One immutable version of a prompt, with the labels that point at it now.
public struct PromptVersion: Sendable, Hashable {
    public var name: String
    /// From 1, in the order versions were created.
    public var version: Int
    public var template: PromptTemplate
    public var config: [String: JSONValue]
    public var tags: [String]
    /// Labels on this version, `latest` included when it is the newest.
    public var labels: [String]
    public var commitMessage: String?
    /// Hex SHA-256 of `PromptDraft.canonicalContent`.
    public var contentHash: String
    public var createdAt: Date

    public init(
        name: String, version: Int, template: PromptTemplate, config: [String: JSONValue], tags: [String],
        labels: [String], commitMessage: String?, contentHash: String, createdAt: Date
    ) {
        self.name = name
        self.version = version
        self.template = template
        self.config = config
        self.tags = tags
        self.labels = labels
        self.commitMessage = commitMessage
        self.contentHash = contentHash
        self.createdAt = createdAt
    }
}

/// A prompt in the registry list: its versions and where each label points.
public struct PromptSummary: Sendable, Hashable {
    public var name: String
    public var type: String
    public var versions: [Int]
    /// Label → version, `latest` included.
    public var labels: [String: Int]
    public var tags: [String]
    public var updatedAt: Date

    public init(name: String, type: String, versions: [Int], labels: [String: Int], tags: [String], updatedAt: Date) {
        self.name = name
        self.type = type
        self.versions = versions
        self.labels = labels
        self.tags = tags
        self.updatedAt = updatedAt
    }
}

/// Which version of a prompt a caller wants.
public enum PromptSelector: Sendable, Hashable, CustomStringConvertible {
    case version(Int)
    case label(String)
    /// `production` if the prompt has it, else `latest`.
    case deployed

    public var description: String {
        switch self {
        case .version(let version): "version \(version)"
        case .label(let label): "label '\(label)'"
        case .deployed: "label 'production' (or 'latest')"
        }
    }
}
