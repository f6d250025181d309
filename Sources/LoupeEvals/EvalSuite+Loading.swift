import Foundation
import LoupeConfig
import LoupeCore
import LoupeGuardrails
import Yams

extension EvalSuite {
    /// The keys a suite file may have.
    static let keys = [
        "description", "prompts", "models", "dataset", "tests", "default_assert", "threshold", "concurrency", "repeat", "parameters",
        "judge_model", "embedding_model", "experiment",
    ]

    /// Reads a suite file and its dataset. Errors carry the file, the line and what was expected.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> EvalSuite {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, key: nil, message: "cannot be read: check the suite's path")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: path, line: nil, key: nil, message: "is not UTF-8 text") }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Parses suite text; `file` names it in errors, gives the suite its name and anchors the dataset path.
    public static func parse(yaml: String, file: String, environment: [String: String] = [:]) throws(ConfigError) -> EvalSuite {
        guard let root = try ConfigNode.document(yaml: yaml, file: file, environment: environment) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "is empty; a suite needs prompts, models and a dataset or tests")
        }
        do {
            return try parse(root, file: file)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, line: nil, key: nil, message: "\(error)")
        }
    }

    private static func parse(_ root: ConfigNode, file: String) throws -> EvalSuite {
        let url = URL(fileURLWithPath: file)
        let name = url.deletingPathExtension().lastPathComponent
        var suite = EvalSuite(name: name, prompts: [], models: [], cases: [])
        var sawPrompts = false
        var sawModels = false
        var sawExperiment = false
        var datasetNode: ConfigNode?
        var inlineTests: [EvalCase] = []
        for (key, value) in try root.mapping(allowed: keys) {
            switch key {
            case "description": suite.description = try value.string()
            case "prompts":
                sawPrompts = true
                suite.prompts = try value.sequence().map(prompt)
            case "models":
                sawModels = true
                suite.models = try value.sequence().map { try $0.string() }
            case "dataset": datasetNode = value
            case "tests":
                inlineTests = try value.sequence().enumerated().map { index, node in try testCase(node, source: "\(file) tests[\(index)]") }
            case "default_assert": suite.defaultAssertions = try value.sequence().map(assertion)
            case "threshold":
                suite.threshold = try value.double()
                guard (0...1).contains(suite.threshold) else { throw value.error("expected a pass rate from 0 to 1, such as 0.9") }
            case "concurrency": suite.concurrency = try value.int(in: 1...1024)
            case "repeat": suite.repeatCount = try value.int(in: 1...100)
            case "parameters":
                guard case .object(let members) = try value.jsonValue() else { throw value.error("expected a mapping of request parameters, such as {temperature: 0}") }
                suite.parameters = members
            case "judge_model": suite.judgeModel = try value.string()
            case "embedding_model": suite.embeddingModel = try value.string()
            case "experiment":
                sawExperiment = true
                suite.experiment = try value.string()
            default: break
            }
        }
        if !sawExperiment { suite.experiment = "evals/\(name)" }
        guard sawPrompts, !suite.prompts.isEmpty else { throw root.error("a suite needs `prompts`: registry references such as support/reply:production, or inline text") }
        guard sawModels, !suite.models.isEmpty else { throw root.error("a suite needs `models`: names the proxy config knows, such as [gpt-4o-mini]") }
        if let datasetNode {
            let relative = try datasetNode.string()
            let path = relative.hasPrefix("/") ? relative : url.deletingLastPathComponent().appendingPathComponent(relative).path
            let dataset: Dataset
            do {
                dataset = try Dataset.load(path: path)
            } catch {
                throw datasetNode.error("\(error)")
            }
            suite.cases = dataset.cases
            suite.dataset = DatasetReference(path: relative, contentHash: dataset.contentHash, cases: dataset.cases.count)
        }
        suite.cases += inlineTests
        guard !suite.cases.isEmpty else { throw root.error("a suite needs cases: a `dataset` file or `tests`") }
        return suite
    }

    /// A registry reference (`name`, `name:label`, `name@3`) or inline text; `{text: …}` is always text.
    static func prompt(_ node: ConfigNode) throws -> EvalPrompt {
        if node.node.mapping != nil {
            for (key, value) in try node.mapping(allowed: ["text"]) where key == "text" { return .inline(try value.string()) }
            throw node.error("expected a prompt reference, text, or {text: …}")
        }
        let text = try node.string()
        guard let reference = EvalPrompt.reference(text) else { return .inline(text) }
        return reference
    }

    static func testCase(_ node: ConfigNode, source: String) throws -> EvalCase {
        var evalCase = EvalCase(vars: [:], source: source)
        for (key, value) in try node.mapping(allowed: ["description", "vars", "expected", "metadata", "assert", "tools"]) {
            switch key {
            case "description": evalCase.description = try value.string()
            case "vars":
                guard case .object(let vars) = try value.jsonValue() else { throw value.error("expected a mapping of variable names to values") }
                evalCase.vars = vars
            case "expected": evalCase.expected = try value.jsonValue()
            case "metadata":
                guard case .object(let metadata) = try value.jsonValue() else { throw value.error("expected a mapping") }
                evalCase.metadata = metadata
            case "assert": evalCase.assertions = try value.sequence().map(assertion)
            case "tools": evalCase.tools = try value.jsonValue()
            default: break
            }
        }
        return evalCase
    }

    static func assertion(_ node: ConfigNode) throws -> Assertion {
        do {
            return try Assertion(parsing: try node.jsonValue())
        } catch let error as AssertionSpecError {
            throw ConfigError(file: node.file, line: error.key.flatMap { key in lineOf(key, in: node) } ?? node.line, key: node.path + (error.key.map { ".\($0)" } ?? ""), message: error.message)
        }
    }

    private static func lineOf(_ key: String, in node: ConfigNode) -> Int? {
        guard let mapping = node.node.mapping else { return nil }
        return mapping.first { $0.key.string == key }.flatMap { $0.value.mark?.line }
    }
}

extension EvalPrompt {
    /// Reads `name`, `name:label` or `name@version` as a registry reference; nil when the text is anything else.
    public static func reference(_ text: String) -> EvalPrompt? {
        let nameCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-./"))
        func isName(_ part: Substring) -> Bool {
            !part.isEmpty && part.unicodeScalars.allSatisfy { nameCharacters.contains($0) && $0.isASCII } && part.first != "/" && part.first != "."
        }
        if let at = text.lastIndex(of: "@") {
            let name = text[..<at]
            guard isName(name), let version = Int(text[text.index(after: at)...]), version > 0 else { return nil }
            return .registry(name: String(name), label: nil, version: version)
        }
        if let colon = text.lastIndex(of: ":") {
            let name = text[..<colon]
            let label = text[text.index(after: colon)...]
            guard isName(name), isName(label), !label.contains("/") else { return nil }
            return .registry(name: String(name), label: String(label), version: nil)
        }
        // A bare name needs a slash or no spaces and no template tags; single words count as names.
        guard isName(Substring(text)) else { return nil }
        return .registry(name: text, label: nil, version: nil)
    }
}
