import Foundation
import HTTPTypes
import LoupeConfig
import LoupeCore
import Synchronization

/// What a team puts in front of its apps once `auth.master_key` is set: every `/v1` call presents a virtual
/// key, which names the models it may call, its budget and its rate limits; users have budgets of their own.
final class Gateway: Sendable {
    let masterKey: String
    let keys: KeyRing
    let spend: SpendTracker
    let limiter = RateLimiter()
    let userBudget: LoupeConfiguration.Budget?
    let modelLimits: [String: (rpm: Int?, tpm: Int?)]
    /// The TPM limit of each key seen, for counting tokens once its calls finish.
    private let keyTPM = Mutex<[String: Int]>([:])

    init(masterKey: String, store: any KeyStore, configuration: LoupeConfiguration) {
        self.masterKey = masterKey
        self.keys = KeyRing(store: store)
        self.spend = SpendTracker(store: store)
        self.userBudget = configuration.userBudget
        self.modelLimits = configuration.models.compactMapValues { model in
            model.rpm == nil && model.tpm == nil ? nil : (model.rpm, model.tpm)
        }
    }

    /// The bearer token of a request, if it has one.
    static func bearer(_ headers: HTTPFields) -> String? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        let token = value.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Constant-time comparison with the master key, so its characters cannot be found by timing.
    func isMasterKey(_ token: String) -> Bool {
        let given = Array(token.utf8)
        let expected = Array(masterKey.utf8)
        var difference = given.count ^ expected.count
        for index in 0..<min(given.count, expected.count) { difference |= Int(given[index] ^ expected[index]) }
        return difference == 0
    }

    /// The key a `/v1` call presents; nil for the master key. Unknown, revoked and expired keys are 401.
    func authenticate(_ headers: HTTPFields) async throws(APIError) -> VirtualKey? {
        guard let token = Self.bearer(headers) else {
            throw APIError(
                status: .unauthorized, message: "This Loupe requires an API key: send `Authorization: Bearer lk-…` with a key from `loupe keys create`.",
                code: "missing_api_key"
            )
        }
        if isMasterKey(token) { return nil }
        let key: VirtualKey?
        do {
            key = try await keys.key(secret: token)
        } catch {
            throw APIError(status: .serviceUnavailable, message: "API keys cannot be checked right now: the store is unavailable.", type: "server_error", code: "store_unavailable")
        }
        guard let key else {
            throw APIError(status: .unauthorized, message: "Incorrect API key provided: \(Self.redacted(token)). Keys come from `loupe keys create`.", code: "invalid_api_key")
        }
        if let refusal = key.refusal(at: Date()) { throw APIError(status: .unauthorized, message: refusal, code: "invalid_api_key") }
        return key
    }

    /// Checks a call before it is forwarded: the key may call the model (403), the key's and the user's budgets
    /// have room (429 `budget_exceeded`), and the key's and the model's rate limits allow it (429 with Retry-After).
    func admit(key: VirtualKey?, user: String?, model: String?) async throws(APIError) {
        if let key, !key.allows(model: model) {
            throw APIError(
                status: .forbidden, message: "The API key '\(key.name)' may not call model '\(model ?? "")'; it may call: \(key.models.joined(separator: ", ")).",
                code: "model_not_allowed", param: "model"
            )
        }
        let now = Date()
        do {
            if let key, let budget = key.budget {
                let spent = try await spend.spent(.key(key.id), since: key.budgetPeriod.start(of: now))
                if spent >= budget {
                    throw APIError(
                        status: .tooManyRequests,
                        message: "The API key '\(key.name)' has spent $\(spent) of its $\(budget) budget for this \(key.budgetPeriod.rawValue).",
                        type: "budget_exceeded", code: "budget_exceeded"
                    )
                }
            }
            if let user, let budget = userBudget {
                let period = VirtualKey.BudgetPeriod(rawValue: budget.period.rawValue) ?? .month
                let limit = USD(rounding: budget.usd)
                let spent = try await spend.spent(.user(user), since: period.start(of: now))
                if spent >= limit {
                    throw APIError(
                        status: .tooManyRequests, message: "The user '\(user)' has spent $\(spent) of the $\(limit) budget each user has for this \(period.rawValue).",
                        type: "budget_exceeded", code: "budget_exceeded"
                    )
                }
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(status: .serviceUnavailable, message: "Budgets cannot be checked right now: the store is unavailable.", type: "server_error", code: "store_unavailable")
        }
        var limits: [(bucket: String, perMinute: Int, amount: Double, what: String)] = []
        if let key, let tpm = key.tpm { keyTPM.withLock { $0[key.id] = tpm } }
        if let key {
            if let rpm = key.rpm { limits.append(("key-rpm:\(key.id)", rpm, 1, "requests per minute for the API key '\(key.name)'")) }
            if let tpm = key.tpm { limits.append(("key-tpm:\(key.id)", tpm, 0, "tokens per minute for the API key '\(key.name)'")) }
        }
        if let model, let limit = modelLimits[model] {
            if let rpm = limit.rpm { limits.append(("model-rpm:\(model)", rpm, 1, "requests per minute for model '\(model)'")) }
            if let tpm = limit.tpm { limits.append(("model-tpm:\(model)", tpm, 0, "tokens per minute for model '\(model)'")) }
        }
        for limit in limits {
            if let wait = limiter.take(limit.bucket, perMinute: limit.perMinute, amount: limit.amount) {
                throw APIError(
                    status: .tooManyRequests, message: "Rate limit reached: \(limit.perMinute) \(limit.what). Try again in \(Int(wait.rounded(.up))) s.",
                    type: "requests", code: "rate_limit_exceeded", retryAfterSeconds: max(1, Int(wait.rounded(.up)))
                )
            }
        }
    }

    /// Counts a finished call: its cost against the key's and user's budgets, its tokens against the TPM limits.
    func settle(_ trace: Trace) {
        spend.record(trace)
        let tokens = Double((trace.usage.inputTokens ?? 0) + (trace.usage.outputTokens ?? 0))
        guard tokens > 0 else { return }
        if let id = trace.keyID, let tpm = keyTPM.withLock({ $0[id] }) { limiter.charge("key-tpm:\(id)", perMinute: tpm, amount: tokens) }
        if let model = trace.model, let tpm = modelLimits[model]?.tpm { limiter.charge("model-tpm:\(model)", perMinute: tpm, amount: tokens) }
    }

    /// A secret as error messages may show it: its first characters only.
    static func redacted(_ token: String) -> String {
        token.count <= 8 ? "***" : String(token.prefix(6)) + "…"
    }
}
