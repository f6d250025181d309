import Foundation

/// Where prompt versions and labels live. Every backend (SQLite, PostgreSQL) implements this contract.
public protocol PromptStore: Sendable {
    /// Stores `draft` as the prompt's next version and moves its labels there, unless `onlyIfChanged`
    /// and the newest version already has `contentHash`; returns the version and whether it is new.
    func createPromptVersion(_ draft: PromptDraft, contentHash: String, onlyIfChanged: Bool) async throws -> (PromptVersion, created: Bool)
    /// The version `selector` picks, or nil when the prompt, version or label does not exist.
    func promptVersion(name: String, _ selector: PromptSelector) async throws -> PromptVersion?
    /// Every prompt, by name.
    func prompts() async throws -> [PromptSummary]
    /// Makes `labels` the labels of one version, moving each from wherever it was; nil when there is no
    /// such version. Throws `PromptError.latestIsAutomatic` for `latest`.
    func setPromptLabels(name: String, version: Int, labels: [String]) async throws -> PromptVersion?
    /// A number that changes whenever any version or label does, for caches to notice changes.
    func promptsRevision() async throws -> Int64
}

/// A prompt request the registry refuses.
public enum PromptError: Error, Hashable, CustomStringConvertible {
    case latestIsAutomatic
    case invalidLabel(String)
    case invalidName(String)

    public var description: String {
        switch self {
        case .latestIsAutomatic: "the label 'latest' always points at the newest version and cannot be set by hand"
        case .invalidLabel(let label):
            "'\(label)' is not a valid label: use letters, digits, '-', '_' and '.', up to 64 characters"
        case .invalidName(let name):
            "'\(name)' is not a valid prompt name: use letters, digits, '-', '_', '.' and '/' between parts, up to 200 characters"
        }
    }

    /// Checks a label a caller wants to set.
    public static func validate(label: String) throws(PromptError) {
        if label == "latest" { throw .latestIsAutomatic }
        guard (1...64).contains(label.count), label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else { throw .invalidLabel(label) }
    }

    /// Checks a prompt name: path-like parts, none empty, `.` or `..`.
    public static func validate(name: String) throws(PromptError) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...200).contains(name.count), parts.allSatisfy({ part in
            !part.isEmpty && part != "." && part != ".." && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }) else { throw .invalidName(name) }
    }
}
