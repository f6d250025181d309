import Foundation

/// A key Loupe issues to an app (`lk-…`): what it may call, how much it may spend and how fast. Only the
/// SHA-256 of the key is stored; the key itself is shown once, when it is made.
public struct VirtualKey: Sendable, Hashable {
    /// The period a budget covers: the current UTC day or calendar month.
    public enum BudgetPeriod: String, Sendable, Hashable, CaseIterable {
        case day, month

        /// When the period that holds `date` began (UTC).
        public func start(of date: Date) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let components: Set<Calendar.Component> = self == .day ? [.year, .month, .day] : [.year, .month]
            return calendar.date(from: calendar.dateComponents(components, from: date))!
        }
    }

    /// What a key may do besides calling `/v1`: `read` opens the `/api` queries to it.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        case proxy, read
    }

    public var id: String
    /// Unique among keys; traces and reports name the key by it.
    public var name: String
    /// Lower-case hex SHA-256 of the key.
    public var keyHash: String
    /// The key's first characters, to recognise it in a list (`lk-3f9a…`).
    public var keyPrefix: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// Spend allowed per `budgetPeriod`; nil is no budget.
    public var budget: USD?
    public var budgetPeriod: BudgetPeriod
    /// Requests and tokens per minute; nil is no limit.
    public var rpm: Int?
    public var tpm: Int?
    /// Models the key may call, as clients name them; empty allows every model.
    public var models: [String]
    public var scopes: [Scope]

    public init(
        id: String, name: String, keyHash: String, keyPrefix: String, createdAt: Date = Date(), expiresAt: Date? = nil, revokedAt: Date? = nil,
        budget: USD? = nil, budgetPeriod: BudgetPeriod = .month, rpm: Int? = nil, tpm: Int? = nil, models: [String] = [], scopes: [Scope] = [.proxy]
    ) {
        self.id = id
        self.name = name
        self.keyHash = keyHash
        self.keyPrefix = keyPrefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.budget = budget
        self.budgetPeriod = budgetPeriod
        self.rpm = rpm
        self.tpm = tpm
        self.models = models
        self.scopes = scopes
    }

    /// Why the key cannot be used at `date`, or nil when it can.
    public func refusal(at date: Date) -> String? {
        if let revokedAt, revokedAt <= date { return "The API key '\(name)' was revoked." }
        if let expiresAt, expiresAt <= date { return "The API key '\(name)' expired at \(TimeExpression.iso8601(expiresAt))." }
        return nil
    }

    /// True when the key may call `model` (as the client named it).
    public func allows(model: String?) -> Bool {
        models.isEmpty || model.map(models.contains) ?? false
    }
}

/// Stores virtual keys and answers how much a key or a user has spent.
public protocol KeyStore: Sendable {
    /// Stores a new key; throws `KeyError.nameTaken` when another key has its name.
    func createKey(_ key: VirtualKey) async throws
    /// Every key, newest first, revoked ones included.
    func keys() async throws -> [VirtualKey]
    func key(id: String) async throws -> VirtualKey?
    /// The key whose SHA-256 is `hash`.
    func key(hash: String) async throws -> VirtualKey?
    /// Marks the key revoked from `date`; nil when there is no such key.
    func revokeKey(id: String, at date: Date) async throws -> VirtualKey?
    /// Gives the key a new secret (its hash and prefix); the old one stops working at once.
    func rotateKey(id: String, hash: String, prefix: String) async throws -> VirtualKey?
    /// The recorded cost of a key's or a user's calls since `date`, and which of the traces `pending` it includes,
    /// read at one instant so that a caller adding its own not-yet-stored costs counts each call exactly once.
    func spend(of owner: SpendOwner, since date: Date, pending: [String]) async throws -> StoredSpend
}

extension KeyStore {
    /// The recorded cost of the key's calls since `date`.
    public func spend(keyID: String, since date: Date) async throws -> USD {
        try await spend(of: .key(keyID), since: date, pending: []).spent
    }
}

/// Whose spending a budget limits: a virtual key's, or a user's (`X-Loupe-User` or the body's `user`).
public enum SpendOwner: Hashable, Sendable {
    case key(String)
    case user(String)
}

/// A store's answer to `spend(of:since:pending:)`.
public struct StoredSpend: Sendable, Equatable {
    public var spent: USD
    /// The pending trace ids that `spent` already counts.
    public var included: Set<String>

    public init(spent: USD, included: Set<String>) {
        self.spent = spent
        self.included = included
    }
}

/// A key operation that cannot be done.
public enum KeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case nameTaken(String)

    public var description: String {
        switch self {
        case .nameTaken(let name): "A key named '\(name)' exists already; choose another name, or rotate that key."
        }
    }
}
