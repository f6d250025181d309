import Foundation
import NIOHTTP1

/// When a failed attempt at a deployment is tried again, and after how long.
struct RetryPolicy: Sendable {
    /// The first retry's wait; each later one doubles it.
    var baseDelay: Duration = .milliseconds(250)
    /// A provider asking for a longer wait than this is not waited for: the call moves to the next deployment.
    var maxWait: Duration = .seconds(10)

    /// Statuses worth another try: rate limits, timeouts, server errors and Anthropic's 529 "overloaded".
    static func isRetryable(status: UInt) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// The wait before retry number `retry` (0 for the first): the provider's `retry-after-ms` or `Retry-After`
    /// when it sent one, else exponential backoff with jitter.
    func delay(retry: Int, headers: HTTPHeaders?) -> Duration {
        if let headers, let asked = Self.requestedWait(headers) { return asked }
        let backoff = baseDelay * (1 << min(retry, 10))
        let jitter = Double.random(in: 0.8...1.2)
        return backoff * jitter
    }

    /// The wait a response asks for, in either of the forms OpenAI and Anthropic send.
    static func requestedWait(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let text = headers.first(name: "retry-after-ms"), let ms = Double(text), ms >= 0 { return .milliseconds(Int64(ms)) }
        guard let text = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        // An HTTP date, as RFC 9110 allows.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}
