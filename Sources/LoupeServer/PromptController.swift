import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import LoupePrompts
import NIOCore

/// The prompt registry API under `/api/prompts`. Names may hold `/`, so routes take the rest of the path.
struct PromptController<Context: RequestContext>: Sendable {
    let store: any PromptStore
    /// The proxy's compiled prompts, dropped on every change made here.
    let cache: PromptCache
    static var maxBodyBytes: Int { 4 << 20 }

    func addRoutes(to router: Router<Context>) {
        let api = router.group("api")
        api.get("prompts") { _, _ in try await list() }
        api.post("prompts") { request, _ in try await create(request) }
        api.get("prompts/**") { request, context in try await show(Self.path(context), request.uri.queryParameters) }
        api.post("prompts/**") { request, context in
            var path = Self.path(context)
            guard path.last == "render" else { throw APIError(status: .notFound, message: "Use POST /api/prompts/{name}/render.", code: "not_found") }
            path.removeLast()
            return try await render(path.joined(separator: "/"), request)
        }
        api.patch("prompts/**") { request, context in
            let path = Self.path(context)
            guard path.count >= 3, path[path.count - 2] == "versions", let version = Int(path[path.count - 1]) else {
                throw APIError(status: .notFound, message: "Use PATCH /api/prompts/{name}/versions/{version}.", code: "not_found")
            }
            return try await relabel(path.dropLast(2).joined(separator: "/"), version: version, request)
        }
    }

    func list() async throws -> Response {
        let prompts = try await store.prompts().map { summary in
            JSONValue.object([
                "name": .string(summary.name), "type": .string(summary.type),
                "versions": .array(summary.versions.map { .number(Double($0)) }),
                "labels": .object(summary.labels.mapValues { .number(Double($0)) }),
                "tags": .array(summary.tags.map(JSONValue.string)),
                "updated_at": .string(TimeExpression.iso8601(summary.updatedAt)),
            ])
        }
        return Self.json(.object(["data": .array(prompts)]))
    }

    func show(_ path: [String], _ parameters: Parameters) async throws -> Response {
        let version = try await find(path.joined(separator: "/"), try Self.selector(version: parameters["version"].map(String.init), label: parameters["label"].map(String.init)))
        return Self.json(Self.json(version))
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await Self.object(request)
        guard let name = body["name"]?.stringValue else { throw Self.invalid("name is required: the prompt's name, such as support/reply.", "name") }
        let type = body["type"]?.stringValue ?? (body["prompt"].map { if case .array = $0 { "chat" } else { "text" } } ?? "text")
        guard let promptJSON = body["prompt"], let template = PromptTemplate(type: type, json: promptJSON) else {
            throw Self.invalid("prompt must be a string for type text, or a list of {role, content} messages for type chat.", "prompt")
        }
        var config: [String: JSONValue] = [:]
        if let value = body["config"] {
            guard case .object(let members) = value else { throw Self.invalid("config must be an object.", "config") }
            config = members
        }
        let draft = PromptDraft(
            name: name, template: template, config: config, tags: try Self.strings(body["tags"], "tags"),
            labels: try Self.strings(body["labels"], "labels"), commitMessage: body["commit_message"]?.stringValue
        )
        do {
            try PromptRenderer.validate(template, file: name, firstLine: nil)
        } catch {
            throw APIError(status: .badRequest, message: "\(error)", code: "invalid_template", param: "prompt")
        }
        let (version, _) = try await Self.refusingBadLabels { try await store.createPromptVersion(draft, contentHash: draft.contentHash, onlyIfChanged: false) }
        cache.invalidate()
        var response = Self.json(Self.json(version))
        response.status = .created
        return response
    }

    func relabel(_ name: String, version: Int, _ request: Request) async throws -> Response {
        let body = try await Self.object(request)
        let labels = try Self.strings(body["labels"], "labels")
        let updated = try await Self.refusingBadLabels { try await store.setPromptLabels(name: name, version: version, labels: labels) }
        cache.invalidate()
        guard let updated else { throw Self.notFound(name, .version(version)) }
        return Self.json(Self.json(updated))
    }

    func render(_ name: String, _ request: Request) async throws -> Response {
        let body = try await Self.object(request)
        let selector = try Self.selector(version: body["version"].map { $0.stringValue ?? $0.jsonText }, label: body["label"]?.stringValue)
        // One read: the renderer carries its version, and the prompts it includes.
        let renderer: PromptRenderer
        do {
            guard let found = try await store.renderer(name: name, selector) else { throw Self.notFound(name, selector) }
            renderer = found
        } catch let missing as MissingPromptPartial {
            throw APIError(status: .notFound, message: "\(missing).", code: "prompt_not_found", param: "name")
        }
        let version = renderer.version
        var variables: [String: JSONValue] = [:]
        if let value = body["variables"] {
            guard case .object(let members) = value else { throw Self.invalid("variables must be an object of names to values.", "variables") }
            variables = members
        }
        let rendered: PromptTemplate
        do {
            rendered = try renderer.render(variables)
        } catch {
            throw APIError(status: .badRequest, message: "\(error).", code: "missing_variables", param: "variables")
        }
        return Self.json(.object([
            "name": .string(version.name), "version": .number(Double(version.version)), "type": .string(rendered.type),
            "prompt": rendered.json, "config": .object(version.config),
        ]))
    }

    private func find(_ name: String, _ selector: PromptSelector) async throws -> PromptVersion {
        guard let version = try await store.promptVersion(name: name, selector) else { throw Self.notFound(name, selector) }
        return version
    }

    static func json(_ version: PromptVersion) -> JSONValue {
        .object([
            "name": .string(version.name), "version": .number(Double(version.version)), "type": .string(version.template.type),
            "prompt": version.template.json, "config": .object(version.config), "tags": .array(version.tags.map(JSONValue.string)),
            "labels": .array(version.labels.map(JSONValue.string)), "commit_message": version.commitMessage.map(JSONValue.string) ?? .null,
            "content_hash": .string(version.contentHash), "created_at": .string(TimeExpression.iso8601(version.createdAt)),
        ])
    }

    static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.jsonText)))
    }

    static func path(_ context: Context) -> [String] {
        context.parameters.getCatchAll().map(String.init)
    }

    static func selector(version: String?, label: String?) throws -> PromptSelector {
        switch (version, label) {
        case (let version?, nil):
            guard let number = Int(version), number >= 1 else { throw invalid("version must be a whole number from 1.", "version") }
            return .version(number)
        case (nil, let label?): return .label(label)
        case (nil, nil): return .deployed
        case (_?, _?): throw invalid("Give a version or a label, not both.", "label")
        }
    }

    static func notFound(_ name: String, _ selector: PromptSelector) -> APIError {
        APIError(status: .notFound, message: "Prompt '\(name)' has no \(selector).", code: "prompt_not_found", param: "name")
    }

    static func invalid(_ message: String, _ param: String) -> APIError {
        APIError(status: .badRequest, message: message, code: "invalid_parameter", param: param)
    }

    static func refusingBadLabels<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PromptError {
            let param = if case .invalidName = error { "name" } else { "labels" }
            throw APIError(status: .badRequest, message: "\(error).", code: "invalid_prompt", param: param)
        }
    }

    static func object(_ request: Request) async throws -> [String: JSONValue] {
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw APIError(status: .contentTooLarge, message: "The request body is larger than \(maxBodyBytes) bytes.", code: "body_too_large")
        }
        guard case .object(let members)? = try? JSONValue.parse(bytes: bytes.readableBytesView) else {
            throw APIError(status: .badRequest, message: "The request body must be a JSON object.", code: "invalid_json")
        }
        return members
    }

    static func strings(_ value: JSONValue?, _ name: String) throws -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
            throw invalid("\(name) must be a list of strings.", name)
        }
        return items.compactMap(\.stringValue)
    }
}
