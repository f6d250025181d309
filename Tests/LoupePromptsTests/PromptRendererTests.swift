import Foundation
import LoupeCore
import LoupePrompts
import Testing

@Suite struct PromptRendererTests {
    func version(_ template: PromptTemplate) -> PromptVersion {
        PromptVersion(name: "greet", version: 3, template: template, config: [:], tags: [], labels: [], commitMessage: nil, contentHash: "", createdAt: Date())
    }

    @Test func rendersChatMessagesAsTextWithoutEscaping() throws {
        let renderer = try PromptRenderer(version(.chat([
            .init(role: "system", content: "You help {{company}} <staff> & customers."),
            .init(role: "user", content: "{{question}} ({{count}} items){{#urgent}} URGENT{{/urgent}}"),
        ])))
        #expect(renderer.requiredVariables == ["company", "count", "question"])  // urgent is a section: optional
        let rendered = try renderer.render(["company": .string("A&B"), "question": .string("Where is <my> order?"), "count": .number(3)])
        #expect(rendered == .chat([
            .init(role: "system", content: "You help A&B <staff> & customers."),
            .init(role: "user", content: "Where is <my> order? (3 items)"),
        ]))
        let urgent = try renderer.render(["company": .string("A"), "question": .string("Q"), "count": .number(1.5), "urgent": .bool(true)])
        #expect(urgent == .chat([.init(role: "system", content: "You help A <staff> & customers."), .init(role: "user", content: "Q (1.5 items) URGENT")]))
    }

    @Test func sectionsIterateListsAndObjects() throws {
        let renderer = try PromptRenderer(version(.text("Items:{{#items}} {{name}}={{qty}}{{/items}}.{{^items}} none{{/items}} By {{user.name}}")))
        #expect(renderer.requiredVariables == ["user"])
        let rendered = try renderer.render([
            "items": .array([.object(["name": .string("a"), "qty": .number(1)]), .object(["name": .string("b"), "qty": .number(2)])]),
            "user": .object(["name": .string("Ann")]),
        ])
        #expect(rendered == .text("Items: a=1 b=2. By Ann"))
    }

    @Test func missingVariablesAreAllNamed() throws {
        let renderer = try PromptRenderer(version(.text("{{greeting}}, {{name}}! {{{raw}}} {{& amp}}")))
        #expect {
            _ = try renderer.render(["name": .string("x")])
        } throws: { error in
            guard let missing = error as? MissingPromptVariables else { return false }
            return missing.names == ["amp", "greeting", "raw"] && "\(missing)".contains("version 3 needs variables that were not given: amp, greeting, raw")
        }
    }
}
