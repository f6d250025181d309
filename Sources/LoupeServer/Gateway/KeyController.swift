import Foundation
import Hummingbird
import HummingbirdCore
import LoupeCore

/// `/api/keys`: make, list, show, revoke and rotate virtual keys (master key only, see `APIAuthMiddleware`).
struct KeyController<Context: RequestContext>: Sendable {
    let store: any KeyStore
    let gateway: Gateway?

    func addRoutes(to router: Router<Context>) {
        let keys = router.group("api/keys")
        keys.post { request, _ in try await create(request) }
        keys.get { _, _ in try TraceController<Context>.json(["data": try await store.keys().map { KeyView($0) }]) }
        keys.get("{id}") { _, context in try await show(try context.parameters.require("id")) }
        keys.post("{id}/revoke") { _, context in try await revoke(try context.parameters.require("id")) }
        keys.post("{id}/rotate") { _, context in try await rotate(try context.parameters.require("id")) }
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024)
        guard case .object(let fields)? = try? JSONValue.parse(bytes: body.readableBytesView) else {
            throw APIError(status: .badRequest, message: "The body must be a JSON object such as {\"name\": \"search-app\", \"budget_usd\": 50}.", code: "invalid_json")
        }
        let (key, secret) = try KeyRequest.newKey(fields)
        do {
            try await store.createKey(key)
        } catch let error as KeyError {
            throw APIError(status: .conflict, message: error.description, code: "key_name_taken", param: "name")
        }
        return try TraceController<Context>.json(KeyView(key, secret: secret), status: .created)
    }

    func show(_ id: String) async throws -> Response {
        guard let key = try await store.key(id: id) else { throw Self.notFound(id) }
        let spent = try await store.spend(keyID: key.id, since: key.budgetPeriod.start(of: Date()))
        return try TraceController<Context>.json(KeyView(key, spent: spent))
    }

    func revoke(_ id: String) async throws -> Response {
        guard let key = try await store.revokeKey(id: id, at: Date()) else { throw Self.notFound(id) }
        gateway?.keys.invalidate()
        return try TraceController<Context>.json(KeyView(key))
    }

    func rotate(_ id: String) async throws -> Response {
        let minted = KeyMint.mint()
        guard let key = try await store.rotateKey(id: id, hash: minted.hash, prefix: minted.prefix) else { throw Self.notFound(id) }
        gateway?.keys.invalidate()
        return try TraceController<Context>.json(KeyView(key, secret: minted.secret))
    }

    static func notFound(_ id: String) -> APIError {
        APIError(status: .notFound, message: "No key has the id '\(id)'.", code: "key_not_found", param: "id")
    }
}
