import LoupeCore

extension PromptStore {
    /// The version `selector` picks, compiled with the prompts it includes (their deployed versions,
    /// three levels deep at most); nil when there is no such version. Throws `MissingPromptPartial` when
    /// an included prompt does not exist or is not a text prompt.
    public func renderer(name: String, _ selector: PromptSelector) async throws -> PromptRenderer? {
        guard let version = try await promptVersion(name: name, selector) else { return nil }
        var partials: [String: String] = [:]
        var wanted = PromptRenderer.partialNames(in: version.template)
        for _ in 0..<3 where !wanted.isEmpty {
            var next = Set<String>()
            for partial in wanted where partials[partial] == nil && partial != name {
                guard let included = try await promptVersion(name: partial, .deployed), case .text(let text) = included.template else {
                    throw MissingPromptPartial(prompt: name, partial: partial)
                }
                partials[partial] = text
                next.formUnion(PromptRenderer.partialNames(in: included.template))
            }
            wanted = next
        }
        return try PromptRenderer(version, partials: partials)
    }
}

/// A prompt includes (`{{> name}}`) a prompt that is not in the registry, or is not a text prompt.
public struct MissingPromptPartial: Error, Hashable, CustomStringConvertible {
    public var prompt: String
    public var partial: String

    public var description: String {
        "prompt '\(prompt)' includes '\(partial)', which is not a text prompt in the registry; push it first"
    }
}
