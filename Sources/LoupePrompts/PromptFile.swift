import Foundation
import LoupeCore
import Yams

/// A prompt as written in `prompts/<name>.yaml`: the name comes from the path, the rest from the file.
public enum PromptFile {
    /// Reads every `*.yaml` and `*.yml` under `directory`, by path. Each file either parses or gives its own
    /// error, so one bad file does not stop the others.
    public static func load(directory: String) throws -> [Result<PromptDraft, PromptFileError>] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw PromptFileError(file: directory, message: "is not a readable directory")
        }
        var paths: [String] = []
        for case let url as URL in enumerator where ["yaml", "yml"].contains(url.pathExtension) {
            paths.append(url.standardizedFileURL.path)
        }
        return paths.sorted().map { path in
            let relative = String(path.dropFirst(root.path.count).drop { $0 == "/" })
            let name = String(relative.dropLast(relative.hasSuffix(".yml") ? 4 : 5))
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                return .success(try parse(text, name: name, file: path))
            } catch let error as PromptFileError {
                return .failure(error)
            } catch {
                return .failure(PromptFileError(file: path, message: "cannot be read: \(error)"))
            }
        }
    }

    /// Parses one prompt file's text; `file` names it in errors.
    public static func parse(_ text: String, name: String, file: String) throws(PromptFileError) -> PromptDraft {
        do { try PromptError.validate(name: name) } catch { throw PromptFileError(file: file, message: "\(error)") }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PromptFileError(file: file, message: "is empty") }
            root = node
        } catch let error as PromptFileError {
            throw error
        } catch let error as YamlError {
            throw PromptFileError(file: file, line: Self.line(of: error), message: "is not valid YAML: \(error)")
        } catch {
            throw PromptFileError(file: file, message: "is not valid YAML: \(error)")
        }
        guard let mapping = root.mapping else { throw PromptFileError(file: file, line: root.mark?.line, message: "must be a mapping with type and prompt") }
        let allowed: Set<String> = ["type", "prompt", "config", "tags", "labels", "commit_message"]
        for key in mapping.keys {
            guard let keyName = key.string, allowed.contains(keyName) else {
                throw PromptFileError(file: file, line: key.mark?.line, message: "unknown key '\(key.string ?? "?")'; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
        }
        func value(_ key: String) -> Node? { mapping[Node(key)] }
        let typeNode = value("type")
        let type = typeNode?.string ?? "text"
        guard type == "text" || type == "chat" else {
            throw PromptFileError(file: file, line: typeNode?.mark?.line, message: "type must be text or chat, not '\(type)'")
        }
        guard let promptNode = value("prompt") else { throw PromptFileError(file: file, line: root.mark?.line, message: "prompt is missing") }
        let json = Self.json(promptNode)
        guard let template = PromptTemplate(type: type, json: json) else {
            let expected = type == "text" ? "a string" : "a list of {role, content} messages"
            throw PromptFileError(file: file, line: promptNode.mark?.line, message: "prompt must be \(expected) for type \(type)")
        }
        var config: [String: JSONValue] = [:]
        if let configNode = value("config") {
            guard case .object(let members) = Self.json(configNode) else {
                throw PromptFileError(file: file, line: configNode.mark?.line, message: "config must be a mapping")
            }
            config = members
        }
        let tags = try strings(value("tags"), "tags", file: file)
        let labels = try strings(value("labels"), "labels", file: file)
        for label in labels {
            do { try PromptError.validate(label: label) } catch {
                throw PromptFileError(file: file, line: value("labels")?.mark?.line, message: "\(error)")
            }
        }
        let draft = PromptDraft(name: name, template: template, config: config, tags: tags, labels: labels, commitMessage: value("commit_message")?.string)
        try PromptRenderer.validate(template, file: file, firstLine: promptNode.mark?.line)
        return draft
    }

    private static func strings(_ node: Node?, _ key: String, file: String) throws(PromptFileError) -> [String] {
        guard let node else { return [] }
        guard let sequence = node.sequence, sequence.allSatisfy({ $0.scalar != nil }) else {
            throw PromptFileError(file: file, line: node.mark?.line, message: "\(key) must be a list of strings")
        }
        return sequence.compactMap(\.string)
    }

    /// YAML as JSON: plain scalars keep YAML's types (numbers, booleans, null), quoted ones stay strings.
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if let bool = Bool.construct(from: scalar) { return .bool(bool) }
                if let int = Int.construct(from: scalar) { return .number(Double(int)) }
                if let double = Double.construct(from: scalar) { return .number(double) }
                if NSNull.construct(from: scalar) != nil { return .null }
            }
            return .string(scalar.string)
        case .sequence(let sequence): return .array(sequence.map(json))
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping { members[key.string ?? ""] = json(value) }
            return .object(members)
        case .alias: return .null
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }
}
