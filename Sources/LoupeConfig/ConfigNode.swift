import Foundation
import LoupeCore
import Yams

/// A YAML node with its key path, so every accessor can report the file, line and key of a bad value.
/// Package-visible: eval suites are YAML read the same way.
package struct ConfigNode {
    package let node: Node
    package let path: String
    package let file: String?
    package let environment: [String: String]

    package init(node: Node, path: String, file: String?, environment: [String: String]) {
        self.node = node
        self.path = path
        self.file = file
        self.environment = environment
    }

    /// The root of a YAML document; nil for an empty one. Syntax errors carry the file and line.
    package static func document(yaml: String, file: String?, environment: [String: String]) throws(ConfigError) -> ConfigNode? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigLoader.syntaxError(error, file: file)
        } catch {
            throw ConfigError(file: file, line: nil, key: nil, message: "invalid YAML: \(error)")
        }
        return root.map { ConfigNode(node: $0, path: "", file: file, environment: environment) }
    }

    package var line: Int? { node.mark?.line }

    package func error(_ message: String, key: String? = nil) -> ConfigError {
        ConfigError(file: file, line: line, key: key ?? (path.isEmpty ? nil : path), message: message)
    }

    /// The members of a mapping, rejecting keys outside `allowed`.
    package func mapping(allowed: [String]? = nil) throws -> [(key: String, value: ConfigNode)] {
        guard let mapping = node.mapping else {
            throw error("expected a mapping of keys to values, found \(kind)")
        }
        var members: [(key: String, value: ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw ConfigError(file: file, line: keyNode.mark?.line, key: path.isEmpty ? nil : path, message: "keys must be strings")
            }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                throw ConfigError(
                    file: file, line: keyNode.mark?.line, key: childPath,
                    message: "unknown key; expected one of: \(allowed.joined(separator: ", "))"
                )
            }
            members.append((key, ConfigNode(node: valueNode, path: childPath, file: file, environment: environment)))
        }
        return members
    }

    /// A scalar as a string, with `${VAR}` and `${VAR:-default}` replaced from the environment.
    package func string() throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error("expected a string, found \(kind)")
        }
        return try interpolate(scalar.string)
    }

    package func int(in range: ClosedRange<Int>) throws -> Int {
        let text = try string()
        guard let value = Int(text), range.contains(value) else {
            throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
        }
        return value
    }

    package func double() throws -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite else { throw error("expected a number, found '\(text)'") }
        return value
    }

    package func bool() throws -> Bool {
        let text = try string().lowercased()
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found '\(text)'")
        }
    }

    /// The items of a sequence.
    package func sequence() throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list, found \(kind)")
        }
        return sequence.enumerated().map { index, item in
            ConfigNode(node: item, path: "\(path)[\(index)]", file: file, environment: environment)
        }
    }

    /// The node as JSON: plain scalars that read as booleans, numbers or null become those; other scalars are strings.
    package func jsonValue() throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if isNull { return .null }
                switch scalar.string {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: if let number = Double(scalar.string), !scalar.string.contains("${") { return .number(number) }
                }
            }
            return .string(try string())
        case .sequence:
            return .array(try sequence().map { try $0.jsonValue() })
        case .mapping:
            var members: [String: JSONValue] = [:]
            for (key, value) in try mapping() { members[key] = try value.jsonValue() }
            return .object(members)
        case .alias:
            throw error("YAML aliases are not supported here; write the value out")
        }
    }

    package var isNull: Bool {
        if case .scalar(let scalar) = node { return scalar.tag == .implicit && ["", "~", "null"].contains(scalar.string) && scalar.style == .plain }
        return false
    }

    private var kind: String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func interpolate(_ text: String) throws -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw error("unterminated '${' in '\(text)'; write ${NAME} or ${NAME:-default}")
            }
            let reference = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let separator = reference.range(of: ":-") {
                name = reference[..<separator.lowerBound]
                fallback = reference[separator.upperBound...]
            } else {
                name = reference
                fallback = nil
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw error("'${\(reference)}' is not a variable reference; write ${NAME} or ${NAME:-default}")
            }
            if let value = environment[String(name)], !value.isEmpty {
                result += value
            } else {
                result += fallback ?? ""
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
