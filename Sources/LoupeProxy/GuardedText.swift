import LoupeCore

/// Where the text that guardrails check lives in each OpenAI wire format: the request's messages or
/// prompt, the response's answers, and the deltas of a stream.
public enum GuardedText {
    /// The endpoints whose text Loupe knows how to find.
    public enum Format: Sendable {
        case chatCompletions, completions, embeddings, responses
    }

    /// Paths of the text the client sends: message contents and text parts, prompts, inputs, instructions.
    public static func requestPaths(_ format: Format, in body: JSONValue) -> [JSONPath] {
        var paths: [JSONPath] = []
        switch format {
        case .chatCompletions:
            forEach(body["messages"], at: JSONPath([.key("messages")])) { message, path in
                contentPaths(message["content"], at: path.appending(.key("content")), into: &paths)
            }
        case .completions:
            stringPaths(body["prompt"], at: JSONPath([.key("prompt")]), into: &paths)
        case .embeddings:
            stringPaths(body["input"], at: JSONPath([.key("input")]), into: &paths)
        case .responses:
            if case .string? = body["instructions"] { paths.append(JSONPath([.key("instructions")])) }
            if case .string? = body["input"] {
                paths.append(JSONPath([.key("input")]))
            } else {
                forEach(body["input"], at: JSONPath([.key("input")])) { item, path in
                    contentPaths(item["content"], at: path.appending(.key("content")), into: &paths)
                }
            }
        }
        return paths
    }

    /// Paths of the answers in a non-streamed response.
    public static func responsePaths(_ format: Format, in body: JSONValue) -> [JSONPath] {
        var paths: [JSONPath] = []
        switch format {
        case .chatCompletions:
            forEach(body["choices"], at: JSONPath([.key("choices")])) { choice, path in
                if case .string? = choice["message"]?["content"] { paths.append(path.appending(.key("message")).appending(.key("content"))) }
            }
        case .completions:
            forEach(body["choices"], at: JSONPath([.key("choices")])) { choice, path in
                if case .string? = choice["text"] { paths.append(path.appending(.key("text"))) }
            }
        case .responses:
            forEach(body["output"], at: JSONPath([.key("output")])) { item, path in
                contentPaths(item["content"], at: path.appending(.key("content")), into: &paths)
            }
        case .embeddings:
            break
        }
        return paths
    }

    /// A piece of streamed answer: which answer it continues, and where its text is in the event.
    public struct Delta: Sendable, Hashable {
        /// Identifies one answer: a choice index, or an output item and content part.
        public var key: String
        public var path: JSONPath
        /// True when the answer ends with this event (a `finish_reason`), so its held-back text goes out with it.
        public var ends: Bool
    }

    /// The text pieces an event carries.
    public static func deltas(_ format: Format, in event: JSONValue) -> [Delta] {
        var found: [Delta] = []
        switch format {
        case .chatCompletions, .completions:
            forEach(event["choices"], at: JSONPath([.key("choices")])) { choice, path in
                let key = choice["index"]?.intValue.map(String.init) ?? "0"
                let textPath = format == .completions ? path.appending(.key("text")) : path.appending(.key("delta")).appending(.key("content"))
                let ends = choice["finish_reason"].map { $0 != .null } ?? false
                if case .string? = event[path: textPath] {
                    found.append(Delta(key: key, path: textPath, ends: ends))
                } else if ends {
                    found.append(Delta(key: key, path: textPath, ends: true))
                }
            }
        case .responses:
            if event["type"]?.stringValue == "response.output_text.delta", case .string? = event["delta"] {
                found.append(Delta(key: responsesKey(event), path: JSONPath([.key("delta")]), ends: false))
            }
        case .embeddings:
            break
        }
        return found
    }

    /// For a Responses stream event that repeats finished text (`….done`, `response.completed`): the key
    /// of each answer it repeats and where, so the proxy can put in what it released.
    public static func repeatedTexts(in event: JSONValue) -> [(key: String, path: JSONPath)] {
        guard let type = event["type"]?.stringValue else { return [] }
        let outputIndex = event["output_index"]?.intValue ?? 0
        switch type {
        case "response.output_text.done":
            return [(responsesKey(event), JSONPath([.key("text")]))]
        case "response.content_part.done":
            guard case .string? = event["part"]?["text"] else { return [] }
            return [(responsesKey(event), JSONPath([.key("part"), .key("text")]))]
        case "response.output_item.done":
            var result: [(String, JSONPath)] = []
            forEach(event["item"]?["content"], at: JSONPath([.key("item"), .key("content")])) { part, path in
                if case .string? = part["text"], case .index(let index)? = path.steps.last {
                    result.append(("\(outputIndex):\(index)", path.appending(.key("text"))))
                }
            }
            return result
        case "response.completed", "response.incomplete":
            var result: [(String, JSONPath)] = []
            forEach(event["response"]?["output"], at: JSONPath([.key("response"), .key("output")])) { item, itemPath in
                guard case .index(let itemIndex)? = itemPath.steps.last else { return }
                forEach(item["content"], at: itemPath.appending(.key("content"))) { part, path in
                    if case .string? = part["text"], case .index(let index)? = path.steps.last {
                        result.append(("\(itemIndex):\(index)", path.appending(.key("text"))))
                    }
                }
            }
            return result
        default:
            return []
        }
    }

    /// The strings at `paths`, in order.
    public static func texts(at paths: [JSONPath], in json: JSONValue) -> [String] {
        paths.map { json[path: $0]?.stringValue ?? "" }
    }

    /// `json` with the string at each path replaced by the matching text.
    public static func replacing(_ paths: [JSONPath], in json: JSONValue, with texts: [String]) -> JSONValue {
        var result = json
        for (path, text) in zip(paths, texts) { result.set(.string(text), at: path) }
        return result
    }

    private static func responsesKey(_ event: JSONValue) -> String {
        "\(event["output_index"]?.intValue ?? 0):\(event["content_index"]?.intValue ?? 0)"
    }

    private static func forEach(_ value: JSONValue?, at path: JSONPath, _ body: (JSONValue, JSONPath) -> Void) {
        guard case .array(let items)? = value else { return }
        for (index, item) in items.enumerated() { body(item, path.appending(.index(index))) }
    }

    /// A string, or a list of strings (token arrays are left alone).
    private static func stringPaths(_ value: JSONValue?, at path: JSONPath, into paths: inout [JSONPath]) {
        switch value {
        case .string?: paths.append(path)
        case .array(let items)?:
            for (index, item) in items.enumerated() { if case .string = item { paths.append(path.appending(.index(index))) } }
        default: break
        }
    }

    /// A message content: a string, or parts of which the text ones (`text`, `input_text`, `output_text`) count.
    private static func contentPaths(_ value: JSONValue?, at path: JSONPath, into paths: inout [JSONPath]) {
        switch value {
        case .string?: paths.append(path)
        case .array(let parts)?:
            for (index, part) in parts.enumerated() {
                if case .string? = part["text"], ["text", "input_text", "output_text"].contains(part["type"]?.stringValue ?? "text") {
                    paths.append(path.appending(.index(index)).appending(.key("text")))
                }
            }
        default: break
        }
    }
}
