import LoupeCore

/// The `prompt` object of a chat request: which registry prompt, which version, and its variables.
public struct PromptReference: Sendable, Hashable {
    public var name: String
    public var selector: PromptSelector
    public var variables: [String: JSONValue]

    init(_ fields: [String: JSONValue]) throws(ProxyRequestBody.Problem) {
        guard let name = fields["name"]?.stringValue else { throw .invalidField(name: "prompt.name", expected: "a string") }
        self.name = name
        switch (fields["version"], fields["label"]) {
        case (nil, nil), (.null?, nil), (nil, .null?), (.null?, .null?): selector = .deployed
        case (.number(let number)?, nil) where number >= 1 && number.rounded() == number: selector = .version(Int(number))
        case (nil, .string(let label)?): selector = .label(label)
        case (_?, nil): throw .invalidField(name: "prompt.version", expected: "a whole number from 1")
        case (nil, _?): throw .invalidField(name: "prompt.label", expected: "a string")
        case (_?, _?): throw .invalidField(name: "prompt", expected: "a version or a label, not both")
        }
        switch fields["variables"] {
        case nil, .null?: variables = [:]
        case .object(let members)?: variables = members
        default: throw .invalidField(name: "prompt.variables", expected: "an object")
        }
    }
}
