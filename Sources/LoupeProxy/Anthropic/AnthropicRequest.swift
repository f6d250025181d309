import LoupeCore

/// Turns an OpenAI chat completions request into an Anthropic Messages API request.
///
/// Mapping: `system` and `developer` messages become the top-level `system` (joined with blank lines,
/// wherever they stood); `user`, `assistant` and `tool` messages become alternating `user`/`assistant`
/// turns, consecutive ones of a role merged; `tool_calls` become `tool_use` blocks and `tool` messages
/// `tool_result` blocks; `tools`, `tool_choice` and `parallel_tool_calls` map to Anthropic's tools;
/// `max_completion_tokens` or `max_tokens` (else ``defaultMaxTokens``), `temperature`, `top_p`, `stop`,
/// `stream` and `user` map to their Anthropic fields. A `cache_control` on a content part is kept, so
/// clients can still mark prompt-cache breakpoints.
///
/// Dropped, because Anthropic has no equivalent and the client can read the answer without them:
/// `stream_options` (the proxy reports usage itself), `frequency_penalty`, `presence_penalty`, `logit_bias`,
/// `seed`, `response_format` of type `text`, `logprobs: false`, `top_logprobs`, `n: 1`, `store`, `metadata`,
/// `service_tier`, `prediction`, `reasoning_effort`, `parallel_tool_calls: true`, message `name`s, the
/// `strict` flag and `detail` of tools and images, empty text, messages left with no content, and any field
/// this translation does not know (Anthropic rejects fields it does not know).
///
/// Refused with an ``AnthropicTranslationError``, because the answer would not be what the client asked for:
/// `n` other than 1, no user or assistant message, `logprobs: true`, `response_format` of type `json_object`
/// or `json_schema`, audio output, the legacy `functions`/`function_call` and `function` role, content parts
/// other than text and images (and images outside user and tool messages), image URLs that are neither
/// base64 `data:` URLs nor http(s), tool call arguments that are not a JSON object, tools that are not
/// functions, a `temperature` above 1 (Anthropic's range is 0 to 1) and malformed values.
public enum AnthropicRequest {
    /// The `max_tokens` sent when the client gives none: Anthropic requires one, OpenAI does not.
    public static let defaultMaxTokens = 4096

    /// The Anthropic Messages request for an OpenAI chat request, addressed to `upstreamModel`.
    public static func messagesBody(fromChat chat: JSONValue, upstreamModel: String) throws(AnthropicTranslationError) -> JSONValue {
        guard case .object(let request) = chat else {
            throw AnthropicTranslationError("The request body must be a JSON object with `messages`.")
        }
        try refuseUntranslatable(request)

        var conversation = Conversation()
        guard case .array(let messages)? = request["messages"], !messages.isEmpty else {
            throw AnthropicTranslationError("The request has no `messages`. Send at least one user message.")
        }
        for (index, message) in messages.enumerated() {
            try conversation.add(message, at: index)
        }
        guard !conversation.turns.isEmpty else {
            throw AnthropicTranslationError(
                "The request has no user or assistant message with content, and Anthropic needs at least one. Add a user message."
            )
        }

        var body: [String: JSONValue] = [
            "model": .string(upstreamModel),
            "messages": .array(conversation.turns.map { .object(["role": .string($0.role), "content": .array($0.blocks)]) }),
            "max_tokens": .number(Double(try maxTokens(request))),
        ]
        if let system = conversation.system { body["system"] = system }
        if let temperature = try number(request, "temperature") {
            guard (0...1).contains(temperature) else {
                throw AnthropicTranslationError(
                    "`temperature` is \(temperature), but Anthropic accepts 0 to 1. Send a temperature from 0 to 1 (OpenAI's range goes to 2, Anthropic's stops at 1)."
                )
            }
            body["temperature"] = .number(temperature)
        }
        if let topP = try number(request, "top_p") { body["top_p"] = .number(topP) }
        if let stops = try stopSequences(request["stop"]), !stops.isEmpty { body["stop_sequences"] = .array(stops.map(JSONValue.string)) }
        if case .bool(true)? = request["stream"] { body["stream"] = .bool(true) }
        switch request["user"] {
        case .string(let user)?: body["metadata"] = .object(["user_id": .string(user)])
        case nil, .null?: break
        default: throw AnthropicTranslationError("`user` must be a string.")
        }
        let tools = try self.tools(request["tools"])
        if !tools.isEmpty {
            body["tools"] = .array(tools)
            if let choice = try toolChoice(request["tool_choice"], parallel: request["parallel_tool_calls"]) { body["tool_choice"] = choice }
        }
        return .object(body)
    }

    /// Top-level fields whose meaning Anthropic cannot honour.
    private static func refuseUntranslatable(_ request: [String: JSONValue]) throws(AnthropicTranslationError) {
        if let n = request["n"], n != .null, n.intValue != 1 {
            throw AnthropicTranslationError(
                "`n` is \(n.jsonText), but Anthropic returns one choice per request. Send `n: 1` or leave it out, and make several requests instead."
            )
        }
        if case .bool(true)? = request["logprobs"] {
            throw AnthropicTranslationError("Anthropic does not return log probabilities. Leave out `logprobs`.")
        }
        if let format = request["response_format"], format != .null {
            let type = format["type"]?.stringValue ?? format.jsonText
            if type != "text" {
                throw AnthropicTranslationError(
                    "`response_format` of type \(type) has no Anthropic equivalent. Ask for JSON in the prompt, "
                        + "or define a tool whose input is the JSON you want and require it with `tool_choice`."
                )
            }
        }
        if request["audio"].map({ $0 != .null }) == true || request["modalities"]?.arrayValue?.contains(.string("audio")) == true {
            throw AnthropicTranslationError("Anthropic does not answer with audio. Leave out `audio` and ask for text only in `modalities`.")
        }
        if request["functions"].map({ $0 != .null }) == true || request["function_call"].map({ $0 != .null }) == true {
            throw AnthropicTranslationError("The legacy `functions` and `function_call` fields are not translated. Send `tools` and `tool_choice` instead.")
        }
    }

    /// `max_completion_tokens`, then `max_tokens`, then the default.
    private static func maxTokens(_ request: [String: JSONValue]) throws(AnthropicTranslationError) -> Int {
        for name in ["max_completion_tokens", "max_tokens"] {
            guard let value = request[name], value != .null else { continue }
            guard let tokens = value.intValue, tokens > 0 else {
                throw AnthropicTranslationError("`\(name)` is \(value.jsonText); send a whole number of tokens above 0.")
            }
            return tokens
        }
        return defaultMaxTokens
    }

    /// A numeric field, nil when absent or null.
    private static func number(_ request: [String: JSONValue], _ name: String) throws(AnthropicTranslationError) -> Double? {
        switch request[name] {
        case nil, .null?: return nil
        case .number(let value)?: return value
        case let other?: throw AnthropicTranslationError("`\(name)` is \(other.jsonText); send a number.")
        }
    }

    /// `stop`: one string or a list of them.
    private static func stopSequences(_ stop: JSONValue?) throws(AnthropicTranslationError) -> [String]? {
        switch stop {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? [] : [text]
        case .array(let items)?:
            var stops: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw AnthropicTranslationError("`stop` must be a string or a list of strings; it holds \(item.jsonText).") }
                if !text.isEmpty { stops.append(text) }
            }
            return stops
        case let other?: throw AnthropicTranslationError("`stop` must be a string or a list of strings, not \(other.jsonText).")
        }
    }

    /// OpenAI function tools as Anthropic tools.
    private static func tools(_ tools: JSONValue?) throws(AnthropicTranslationError) -> [JSONValue] {
        switch tools {
        case nil, .null?: return []
        case .array(let items)?:
            var translated: [JSONValue] = []
            for (index, tool) in items.enumerated() {
                let type = tool["type"]?.stringValue ?? "function"
                guard type == "function" else {
                    throw AnthropicTranslationError("`tools[\(index)]` has type \(type); only function tools translate to Anthropic. Describe it as a function.")
                }
                guard let function = tool["function"], let name = function["name"]?.stringValue, !name.isEmpty else {
                    throw AnthropicTranslationError("`tools[\(index)]` has no `function.name`. Give every tool a function with a name.")
                }
                var members: [String: JSONValue] = ["name": .string(name)]
                if let description = function["description"]?.stringValue { members["description"] = .string(description) }
                switch function["parameters"] {
                case nil, .null?: members["input_schema"] = .object(["type": .string("object")])
                case .object(let schema)?: members["input_schema"] = .object(schema)
                case let other?: throw AnthropicTranslationError("`tools[\(index)].function.parameters` is \(other.jsonText); send a JSON Schema object.")
                }
                translated.append(.object(members))
            }
            return translated
        case let other?:
            throw AnthropicTranslationError("`tools` is \(other.jsonText); send a list of function tools.")
        }
    }

    /// `tool_choice` and `parallel_tool_calls` as Anthropic's `tool_choice`; nil leaves Anthropic's default (auto, parallel allowed).
    private static func toolChoice(_ choice: JSONValue?, parallel: JSONValue?) throws(AnthropicTranslationError) -> JSONValue? {
        var members: [String: JSONValue]
        switch choice {
        case nil, .null?: members = ["type": .string("auto")]
        case .string("auto")?: members = ["type": .string("auto")]
        case .string("required")?: members = ["type": .string("any")]
        case .string("none")?: members = ["type": .string("none")]
        case .object(let object)? where object["type"] == .string("function"):
            guard let name = object["function"]?["name"]?.stringValue, !name.isEmpty else {
                throw AnthropicTranslationError("`tool_choice` names no function. Send {\"type\": \"function\", \"function\": {\"name\": …}}.")
            }
            members = ["type": .string("tool"), "name": .string(name)]
        case let other?:
            throw AnthropicTranslationError(
                "`tool_choice` is \(other.jsonText); send \"auto\", \"required\", \"none\" or {\"type\": \"function\", \"function\": {\"name\": …}}."
            )
        }
        // Anthropic says "one tool at most" on the tool choice; it means nothing when no tool may be called.
        let serial = parallel == .bool(false) && members["type"] != .string("none")
        if serial { members["disable_parallel_tool_use"] = .bool(true) }
        if choice == nil || choice == .null, !serial { return nil }
        return .object(members)
    }
}

/// The messages of one request as Anthropic's system prompt and alternating turns.
private struct Conversation {
    struct Turn {
        var role: String
        var blocks: [JSONValue]
    }

    var turns: [Turn] = []
    private var systemParts: [(text: String, cacheControl: JSONValue?)] = []

    /// The `system` field: one string, or text blocks when a part carries a prompt-cache breakpoint.
    var system: JSONValue? {
        guard !systemParts.isEmpty else { return nil }
        if systemParts.contains(where: { $0.cacheControl != nil }) {
            return .array(systemParts.map { part in
                var block: [String: JSONValue] = ["type": .string("text"), "text": .string(part.text)]
                block["cache_control"] = part.cacheControl
                return .object(block)
            })
        }
        return .string(systemParts.map(\.text).joined(separator: "\n\n"))
    }

    mutating func add(_ message: JSONValue, at index: Int) throws(AnthropicTranslationError) {
        let place = "messages[\(index)]"
        guard case .object = message else { throw AnthropicTranslationError("\(place) is not an object with a `role`.") }
        let role = message["role"]?.stringValue ?? ""
        switch role {
        case "system", "developer":
            try addSystem(message["content"], place: place)
        case "user":
            append("user", try blocks(message["content"], place: place, allowImages: true))
        case "assistant":
            var blocks = try self.blocks(message["content"], place: place, allowImages: false)
            blocks += try toolUses(message["tool_calls"], place: place)
            append("assistant", blocks)
        case "tool":
            guard let callID = message["tool_call_id"]?.stringValue, !callID.isEmpty else {
                throw AnthropicTranslationError("\(place) is a tool result without `tool_call_id`. Give the id of the tool call it answers.")
            }
            var result: [String: JSONValue] = ["type": .string("tool_result"), "tool_use_id": .string(callID)]
            switch message["content"] {
            case .string(let text)?:
                if !text.isEmpty { result["content"] = .string(text) }
            default:
                let parts = try blocks(message["content"], place: place, allowImages: true)
                if !parts.isEmpty { result["content"] = .array(parts) }
            }
            append("user", [.object(result)])
        case "function":
            throw AnthropicTranslationError("\(place) has the legacy role `function`. Send tool calls and `tool` messages instead.")
        default:
            throw AnthropicTranslationError("\(place) has role \(message["role"]?.jsonText ?? "none"); use system, developer, user, assistant or tool.")
        }
    }

    /// Adds blocks as a turn, or to the previous turn of the same role: Anthropic wants the roles to alternate.
    private mutating func append(_ role: String, _ blocks: [JSONValue]) {
        guard !blocks.isEmpty else { return }
        if let last = turns.indices.last, turns[last].role == role {
            turns[last].blocks += blocks
        } else {
            turns.append(Turn(role: role, blocks: blocks))
        }
    }

    private mutating func addSystem(_ content: JSONValue?, place: String) throws(AnthropicTranslationError) {
        switch content {
        case .string(let text)?:
            if !text.isEmpty { systemParts.append((text, nil)) }
        case .array(let parts)?:
            for (index, part) in parts.enumerated() {
                guard part["type"]?.stringValue == "text", let text = part["text"]?.stringValue else {
                    throw AnthropicTranslationError(
                        "\(place).content[\(index)] has type \(part["type"]?.jsonText ?? "none"); a system message may hold only text parts."
                    )
                }
                if !text.isEmpty { systemParts.append((text, part["cache_control"])) }
            }
        case nil, .null?:
            break
        case let other?:
            throw AnthropicTranslationError("\(place).content is \(other.jsonText); send a string or a list of text parts.")
        }
    }

    /// Content as Anthropic blocks: text, and images where Anthropic accepts them.
    private func blocks(_ content: JSONValue?, place: String, allowImages: Bool) throws(AnthropicTranslationError) -> [JSONValue] {
        switch content {
        case nil, .null?:
            return []
        case .string(let text)?:
            // Anthropic rejects empty text blocks; an assistant turn of only tool calls often has content "".
            return text.isEmpty ? [] : [.object(["type": .string("text"), "text": .string(text)])]
        case .array(let parts)?:
            var blocks: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                let partPlace = "\(place).content[\(index)]"
                var block: [String: JSONValue]
                switch part["type"]?.stringValue {
                case "text":
                    guard let text = part["text"]?.stringValue else { throw AnthropicTranslationError("\(partPlace) is a text part without `text`.") }
                    if text.isEmpty { continue }
                    block = ["type": .string("text"), "text": .string(text)]
                case "refusal":
                    // An earlier refusal, sent back as history: for Anthropic it is what the assistant said.
                    guard let text = part["refusal"]?.stringValue else { throw AnthropicTranslationError("\(partPlace) is a refusal part without `refusal`.") }
                    if text.isEmpty { continue }
                    block = ["type": .string("text"), "text": .string(text)]
                case "image_url" where allowImages:
                    block = try image(part["image_url"], place: partPlace)
                case "image_url":
                    throw AnthropicTranslationError(
                        "\(partPlace) is an image in an assistant message; Anthropic accepts images only from the user. Move it to a user message."
                    )
                case let type:
                    throw AnthropicTranslationError(
                        "\(partPlace) has type \(type ?? "none"), which has no Anthropic equivalent here; send text and image_url parts only."
                    )
                }
                if let cacheControl = part["cache_control"] { block["cache_control"] = cacheControl }
                blocks.append(.object(block))
            }
            return blocks
        case let other?:
            throw AnthropicTranslationError("\(place).content is \(other.jsonText); send a string or a list of content parts.")
        }
    }

    /// An `image_url` part's URL as an Anthropic image source: base64 data, or a URL Anthropic fetches.
    private func image(_ imageURL: JSONValue?, place: String) throws(AnthropicTranslationError) -> [String: JSONValue] {
        guard let url = imageURL?["url"]?.stringValue ?? imageURL?.stringValue else {
            throw AnthropicTranslationError("\(place) is an image_url part without `image_url.url`.")
        }
        let source: [String: JSONValue]
        if url.hasPrefix("data:") {
            guard let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") else {
                throw AnthropicTranslationError("\(place) has a data URL that is not base64; send `data:<media type>;base64,<data>`.")
            }
            let mediaType = url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(";base64".count)
            guard !mediaType.isEmpty else {
                throw AnthropicTranslationError("\(place) has a data URL without a media type; send `data:image/png;base64,<data>` or the like.")
            }
            source = ["type": .string("base64"), "media_type": .string(String(mediaType)), "data": .string(String(url[url.index(after: comma)...]))]
        } else if let scheme = url.split(separator: ":", maxSplits: 1).first?.lowercased(), scheme == "http" || scheme == "https" {
            source = ["type": .string("url"), "url": .string(url)]
        } else {
            throw AnthropicTranslationError("\(place) has an image URL that is neither http(s) nor a base64 data URL; send one of those.")
        }
        return ["type": .string("image"), "source": .object(source)]
    }

    /// An assistant's `tool_calls` as `tool_use` blocks, the arguments parsed into the input object.
    private func toolUses(_ calls: JSONValue?, place: String) throws(AnthropicTranslationError) -> [JSONValue] {
        switch calls {
        case nil, .null?:
            return []
        case .array(let calls)?:
            var blocks: [JSONValue] = []
            for (index, call) in calls.enumerated() {
                let callPlace = "\(place).tool_calls[\(index)]"
                guard let id = call["id"]?.stringValue, !id.isEmpty else { throw AnthropicTranslationError("\(callPlace) has no `id`.") }
                guard let name = call["function"]?["name"]?.stringValue, !name.isEmpty else {
                    throw AnthropicTranslationError("\(callPlace) (\(id)) has no `function.name`.")
                }
                let arguments = call["function"]?["arguments"]?.stringValue ?? ""
                let input: JSONValue
                // Some clients send "" for a call without arguments.
                if arguments.allSatisfy(\.isWhitespace) {
                    input = .object([:])
                } else if case .object(let members)? = JSONValue.parse(arguments) {
                    input = .object(members)
                } else {
                    throw AnthropicTranslationError(
                        "\(callPlace), the call \(id) to \(name), has arguments that are not a JSON object: \(arguments.prefix(200)). "
                            + "Anthropic needs the input as an object; send valid JSON object text."
                    )
                }
                blocks.append(.object(["type": .string("tool_use"), "id": .string(id), "name": .string(name), "input": input]))
            }
            return blocks
        case let other?:
            throw AnthropicTranslationError("\(place).tool_calls is \(other.jsonText); send a list of tool calls.")
        }
    }
}
