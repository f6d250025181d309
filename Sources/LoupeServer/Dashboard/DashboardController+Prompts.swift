import Foundation
import Hummingbird
import LoupeCore

extension DashboardController {
    /// `/prompts`: every prompt with its versions and labels, 50 a page.
    func prompts(_ request: Request) async throws -> Response {
        let all = try await store.prompts().sorted { $0.name < $1.name }
        let pageNumber = max(1, request.uri.queryParameters["page"].flatMap { Int($0) } ?? 1)
        let rows = all.dropFirst((pageNumber - 1) * Self.pageSize).prefix(Self.pageSize).map { prompt -> [HTML] in
            let labels = prompt.labels.sorted { $0.key < $1.key }.map { HTML.element("span", ["class": "badge"], text: "\($0.key) → v\($0.value)") }.joined()
            return [.element("a", ["href": Self.promptPath(prompt.name)], text: prompt.name), HTML(prompt.type), HTML(String(prompt.versions.count)), labels,
                    HTML(DashboardFormat.time(prompt.updatedAt))]
        }
        let body: [HTML] = [
            all.isEmpty ? DashboardPage.empty("No prompts yet: push one with `loupe prompts push`.") : DashboardPage.table(["Prompt", "Type", "Versions", "Labels", "Updated (UTC)"], rows),
            Self.pager(
                previous: pageNumber > 1 ? DashboardPage.link("/prompts", [("page", String(pageNumber - 1))]) : nil,
                next: all.count > pageNumber * Self.pageSize ? DashboardPage.link("/prompts", [("page", String(pageNumber + 1))]) : nil
            ),
        ]
        return DashboardPage.response(title: "Prompts", section: "/prompts", body)
    }

    /// `/prompts/{name}`: the newest 50 versions with their labels and templates, and `?diff=a..b` between two of them.
    func prompt(_ name: String, _ request: Request) async throws -> Response {
        guard let latest = try await store.promptVersion(name: name, .label("latest")) else {
            return Self.notFound("No prompt is named '\(name)'.", section: "/prompts")
        }
        var body: [HTML] = []
        if let diff = request.uri.queryParameters["diff"] {
            let parts = diff.split(separator: ".", omittingEmptySubsequences: true).compactMap { Int($0) }
            guard parts.count == 2 else { return Self.badRequest("diff must name two versions, such as 1..2.", section: "/prompts") }
            guard let before = try await store.promptVersion(name: name, .version(parts[0])),
                  let after = try await store.promptVersion(name: name, .version(parts[1]))
            else { return Self.notFound("'\(name)' has no version \(parts[0]) or \(parts[1]).", section: "/prompts") }
            body.append(Self.card("Diff v\(parts[0]) → v\(parts[1])", Self.diff(Self.lines(before.template), Self.lines(after.template))))
        }
        let newest = latest.version
        let oldest = max(1, newest - Self.pageSize + 1)
        var rows: [[HTML]] = []
        var templates: [HTML] = []
        for number in stride(from: newest, through: oldest, by: -1) {
            guard let version = try await store.promptVersion(name: name, .version(number)) else { continue }
            let labels = version.labels.sorted().map { HTML.element("span", ["class": "badge"], text: $0) }.joined()
            let diffLink = number > 1 ? HTML.element("a", ["href": Self.promptPath(name) + "?diff=\(number - 1)..\(number)"], text: "diff with v\(number - 1)") : .empty
            rows.append([HTML("v\(number)"), labels, HTML(version.commitMessage ?? ""), HTML(DashboardFormat.time(version.createdAt)), .element("code", text: String(version.contentHash.prefix(12))), diffLink])
            if templates.count < 3 {
                templates.append(Self.card("v\(number) template", .element("pre", text: Self.lines(version.template).joined(separator: "\n"))))
            }
        }
        body.append(Self.card("Versions", DashboardPage.table(["Version", "Labels", "Message", "Created (UTC)", "Hash", ""], rows)))
        if oldest > 1 { body.append(.element("p", ["class": "muted"], text: "Showing the newest \(Self.pageSize) versions.")) }
        body += templates
        return DashboardPage.response(title: "Prompt " + name, section: "/prompts", body)
    }

    static func promptPath(_ name: String) -> String {
        "/prompts/" + name.split(separator: "/").map { DashboardPage.encode(String($0)) }.joined(separator: "/")
    }

    /// A template as lines: chat messages as `role: content`.
    static func lines(_ template: PromptTemplate) -> [String] {
        switch template {
        case .text(let text): text.components(separatedBy: "\n")
        case .chat(let messages): messages.flatMap { "\($0.role): \($0.content)".components(separatedBy: "\n") }
        }
    }

    /// A line diff: removed lines marked `-`, added `+`, the rest as they are.
    static func diff(_ before: [String], _ after: [String]) -> HTML {
        let difference = after.difference(from: before)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var lines: [HTML] = []
        var oldIndex = 0, newIndex = 0
        while oldIndex < before.count || newIndex < after.count {
            if oldIndex < before.count, removed.contains(oldIndex) {
                lines.append(.element("span", ["class": "del"], text: "- " + before[oldIndex]))
                oldIndex += 1
            } else if newIndex < after.count, inserted.contains(newIndex) {
                lines.append(.element("span", ["class": "add"], text: "+ " + after[newIndex]))
                newIndex += 1
            } else {
                lines.append(.element("span", text: "  " + (newIndex < after.count ? after[newIndex] : "")))
                oldIndex += 1
                newIndex += 1
            }
        }
        return .element("div", ["class": "diff"], .element("pre", lines))
    }
}
