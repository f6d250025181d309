import Foundation
import HTTPTypes
import Hummingbird
import LoupeCore

/// The web dashboard at `/`: server-rendered pages over the stores, charts drawn as SVG, no script.
///
/// With auth on, every page needs the `loupe_key` cookie that `/login` sets from the master key or a key with
/// the read scope; the key is checked through the `Gateway` on each page, so a revoked key stops working at once.
struct DashboardController<Context: RequestContext>: Sendable {
    let store: any LoupeStore
    /// Nil when auth is off: the pages are then open, like `/api`.
    var gateway: Gateway?
    /// The clock; tests pin it so ranges are deterministic.
    var now: @Sendable () -> Date = { Date() }

    /// How many rows a list page shows.
    static var pageSize: Int { 50 }
    static var cookieName: String { "loupe_key" }

    func addRoutes(to router: Router<Context>) {
        page(router, "/") { request, _ in try await overview(request) }
        page(router, "/cost") { request, _ in try await cost(request) }
        page(router, "/cost.csv") { request, _ in try await costCSV(request) }
        page(router, "/traces") { request, _ in try await traces(request) }
        page(router, "/traces/{id}") { request, context in try await trace(try context.parameters.require("id")) }
        page(router, "/prompts") { request, _ in try await prompts(request) }
        page(router, "/prompts/**") { request, context in try await prompt(context.parameters.getCatchAll().joined(separator: "/"), request) }
        page(router, "/evals") { request, _ in try await evals(request) }
        page(router, "/evals/compare") { request, _ in try await compareEvals(request) }
        page(router, "/evals/{id}") { request, context in try await evalRun(try context.parameters.require("id")) }
        page(router, "/experiments") { request, _ in try await experiments(request) }
        page(router, "/experiments/{id}") { request, context in try await experiment(try context.parameters.require("id"), request) }
        page(router, "/models") { request, _ in try await models(request) }
        router.get("/login") { _, _ in loginPage(message: nil) }
        router.post("/login") { request, _ in try await login(request) }
        router.post("/logout") { _, _ in logout() }
    }

    /// Registers a GET page that, with auth on, first checks the cookie and otherwise sends the browser to `/login`.
    private func page(
        _ router: Router<Context>, _ path: RouterPath, _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        router.get(path) { request, context in
            if let gateway, await !allowed(request.cookies[Self.cookieName]?.value, gateway: gateway) {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            return try await handler(request, context)
        }
    }

    /// True for the master key, or a live key with the read scope.
    func allowed(_ secret: String?, gateway: Gateway) async -> Bool {
        guard let secret, !secret.isEmpty else { return false }
        if gateway.isMasterKey(secret) { return true }
        guard let key = try? await gateway.keys.key(secret: secret), key.refusal(at: Date()) == nil else { return false }
        return key.scopes.contains(.read)
    }

    /// A page that says what was not found.
    static func notFound(_ message: String, section: String) -> Response {
        DashboardPage.response(title: "Not found", section: section, status: .notFound, [DashboardPage.empty(message)])
    }

    /// A page that says which parameter was wrong.
    static func badRequest(_ message: String, section: String) -> Response {
        DashboardPage.response(title: "Bad request", section: section, status: .badRequest, [DashboardPage.empty(message)])
    }
}
