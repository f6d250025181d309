import Foundation
import LoupeCore
import LoupePrompts
import Testing

@Suite struct PromptFileTests {
    @Test func readsAChatPromptWithConfigTagsAndLabels() throws {
        let draft = try PromptFile.parse("""
            type: chat
            prompt:
              - role: system
                content: You answer for {{company}}.
              - role: user
                content: "{{question}}"
            config: { model: gpt-4o-mini, temperature: 0.2, max_tokens: 300 }
            tags: [support]
            labels: [production]
            """, name: "support/reply", file: "prompts/support/reply.yaml")
        #expect(draft.name == "support/reply")
        #expect(draft.template == .chat([.init(role: "system", content: "You answer for {{company}}."), .init(role: "user", content: "{{question}}")]))
        #expect(draft.config == ["model": .string("gpt-4o-mini"), "temperature": .number(0.2), "max_tokens": .number(300)])
        #expect(draft.tags == ["support"] && draft.labels == ["production"])
    }

    @Test func theContentHashIgnoresKeyOrderAndLabels() throws {
        let one = try PromptFile.parse("prompt: Hi {{name}}\nconfig: { a: 1, b: 2 }\nlabels: [production]", name: "greet", file: "g.yaml")
        let two = try PromptFile.parse("config: { b: 2, a: 1 }\nprompt: Hi {{name}}", name: "greet", file: "g.yaml")
        #expect(one.contentHash == two.contentHash && one.contentHash.count == 64)
        let changed = try PromptFile.parse("prompt: Hello {{name}}", name: "greet", file: "g.yaml")
        #expect(changed.contentHash != two.contentHash)
    }

    @Test(arguments: [
        ("prompt: [unclosed", "g.yaml:2: is not valid YAML"),  // Yams marks the end of input
        ("prompt: Hi\ncolour: red", "g.yaml:2: unknown key 'colour'"),
        ("type: chat\nprompt: just text", "g.yaml:2: prompt must be a list of {role, content} messages for type chat"),
        ("type: essay\nprompt: x", "g.yaml:1: type must be text or chat, not 'essay'"),
        ("prompt: Hi\nlabels: [latest]", "g.yaml:2: the label 'latest' always points at the newest version"),
        ("prompt: Hi {{#open}} never closed", "g.yaml:1: the template does not parse"),
        ("tags: [a]", "g.yaml:1: prompt is missing"),
    ])
    func badFilesNameTheFileLineAndReason(text: String, expected: String) {
        #expect {
            _ = try PromptFile.parse(text, name: "greet", file: "g.yaml")
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    @Test func loadingADirectoryNamesPromptsByPathAndKeepsGoingPastABadFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("support"), withIntermediateDirectories: true)
        try "prompt: Hi {{name}}".write(to: root.appendingPathComponent("greet.yaml"), atomically: true, encoding: .utf8)
        try "prompt: Thanks, {{name}}".write(to: root.appendingPathComponent("support/reply.yml"), atomically: true, encoding: .utf8)
        try "prompt: [".write(to: root.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let results = try PromptFile.load(directory: root.path)
        #expect(results.compactMap { try? $0.get().name } == ["greet", "support/reply"])
        let failures = results.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(failures.count == 1 && failures[0].file.hasSuffix("broken.yaml"))
    }
}
