import Foundation
import HTTPTypes
import LoupeCore

/// A new key from the fields `POST /api/keys` and `loupe keys create` take.
public enum KeyRequest {
    /// A key from `{name, budget_usd, period, rpm, tpm, models, expires, scopes}`, with its secret.
    public static func newKey(_ fields: [String: JSONValue], now: Date = Date()) throws(APIError) -> (VirtualKey, String) {
        func invalid(_ param: String, _ message: String) -> APIError { APIError(status: .badRequest, message: message, code: "invalid_parameter", param: param) }
        guard let name = fields["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 200 else {
            throw invalid("name", "Give the key a name (1 to 200 characters), such as \"search-app\".")
        }
        let minted = KeyMint.mint()
        var key = VirtualKey(id: KeyMint.newID(), name: name, keyHash: minted.hash, keyPrefix: minted.prefix, createdAt: now)
        switch fields["budget_usd"] {
        case nil, .null?: break
        case .number(let amount)? where amount >= 0: key.budget = USD(rounding: Decimal(string: String(amount)) ?? 0)
        case .string(let text)? where USD(text) != nil: key.budget = USD(text)
        default: throw invalid("budget_usd", "budget_usd must be an amount in US dollars of 0 or more, such as 50 or \"0.25\".")
        }
        if let period = fields["period"], period != .null {
            guard let value = period.stringValue.flatMap(VirtualKey.BudgetPeriod.init(rawValue:)) else { throw invalid("period", "period must be day or month.") }
            key.budgetPeriod = value
        }
        for (field, limit) in [("rpm", 100_000_000), ("tpm", Int(Int32.max))] {
            switch fields[field] {
            case nil, .null?: break
            case let value? where value.intValue.map({ (1...limit).contains($0) }) ?? false:
                if field == "rpm" { key.rpm = value.intValue } else { key.tpm = value.intValue }
            default: throw invalid(field, "\(field) must be a whole number from 1 to \(limit).")
            }
        }
        switch fields["models"] {
        case nil, .null?: break
        case .array(let items)? where items.allSatisfy({ $0.stringValue?.isEmpty == false }): key.models = items.compactMap(\.stringValue)
        case .string(let text)?: key.models = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default: throw invalid("models", "models must be a list of model names, such as [\"gpt-4o-mini\"].")
        }
        switch fields["scopes"] {
        case nil, .null?: break
        case .array(let items)?:
            var scopes: [VirtualKey.Scope] = []
            for item in items {
                guard let scope = item.stringValue.flatMap(VirtualKey.Scope.init(rawValue:)) else {
                    throw invalid("scopes", "scopes must be a list of: \(VirtualKey.Scope.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                scopes.append(scope)
            }
            key.scopes = scopes.isEmpty ? [.proxy] : scopes
        default: throw invalid("scopes", "scopes must be a list such as [\"proxy\", \"read\"].")
        }
        if let expires = fields["expires"], expires != .null {
            guard let text = expires.stringValue, let date = Self.expiry(text, now: now), date > now else {
                throw invalid("expires", "expires must be a duration such as 30d, 12h or 90m, or a future ISO 8601 time.")
            }
            key.expiresAt = date
        }
        return (key, minted.secret)
    }

    /// `30d`, `12h`, `90m`, `45s` from now, or an ISO 8601 time.
    static func expiry(_ text: String, now: Date) -> Date? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount > 0 { return now.addingTimeInterval(amount * unit) }
        return TimeExpression.parseISO8601(text)
    }
}

/// A key as the API shows it: never its secret or hash, except the secret once when it is made or rotated.
public struct KeyView: Encodable, Sendable {
    var id: String
    var name: String
    var key: String?
    var keyPrefix: String
    var createdAt: String
    var expiresAt: String?
    var revokedAt: String?
    var budgetUSD: String?
    var period: String
    var rpm: Int?
    var tpm: Int?
    var models: [String]
    var scopes: [String]
    var spentUSD: String?

    enum CodingKeys: String, CodingKey {
        case id, name, key, keyPrefix = "key_prefix", createdAt = "created_at", expiresAt = "expires_at", revokedAt = "revoked_at"
        case budgetUSD = "budget_usd", period, rpm, tpm, models, scopes, spentUSD = "spent_usd"
    }

    public init(_ key: VirtualKey, secret: String? = nil, spent: USD? = nil) {
        id = key.id
        name = key.name
        self.key = secret
        keyPrefix = key.keyPrefix
        createdAt = TimeExpression.iso8601(key.createdAt)
        expiresAt = key.expiresAt.map(TimeExpression.iso8601)
        revokedAt = key.revokedAt.map(TimeExpression.iso8601)
        budgetUSD = key.budget?.description
        period = key.budgetPeriod.rawValue
        rpm = key.rpm
        tpm = key.tpm
        models = key.models
        scopes = key.scopes.map(\.rawValue)
        spentUSD = spent?.description
    }
}
