import Foundation
import HTTPTypes
import Hummingbird
import LoupeCore

extension DashboardController {
    /// The sign-in form: one password field for the master key or a read key.
    func loginPage(message: String?, status: HTTPResponse.Status = .ok) -> Response {
        let form = HTML.element(
            "form", ["method": "post", "action": "/login", "class": "login"],
            .element("p", text: gateway == nil ? "Auth is off: every page is open." : "Sign in with the master key or a key with the read scope."),
            message.map { HTML.element("p", ["class": "bad"], text: $0) } ?? .empty,
            .element("label", ["for": "key"], text: "Key"),
            .element("input", ["type": "password", "name": "key", "id": "key", "autocomplete": "current-password", "required": ""]),
            .element("button", ["type": "submit"], text: "Sign in")
        )
        return DashboardPage.response(title: "Sign in", section: "/login", status: status, [form])
    }

    /// Checks the posted key and, when it may read, keeps it in an HttpOnly, SameSite=Strict cookie.
    func login(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let key = Self.formValue(String(buffer: body), "key") ?? ""
        guard let gateway else { return Response(status: .seeOther, headers: [.location: "/"]) }
        guard await allowed(key, gateway: gateway),
              let cookie = try? Cookie.validated(name: Self.cookieName, value: key, path: "/", httpOnly: true, sameSite: .strict)
        else {
            return loginPage(message: "That key cannot read this Loupe: use the master key or a live key with the read scope.", status: .unauthorized)
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(cookie)
        return response
    }

    /// Forgets the cookie.
    func logout() -> Response {
        var response = Response(status: .seeOther, headers: [.location: "/login"])
        response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// One field of an `application/x-www-form-urlencoded` body.
    static func formValue(_ body: String, _ name: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
