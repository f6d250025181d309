import Foundation

/// Parses the time bounds that the API and CLI accept: ISO 8601, Unix seconds, or an age such as `7d`.
public enum TimeExpression {
    /// What went wrong parsing a time bound.
    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "'\(text)' is not a time: use ISO 8601 (2026-11-26T10:00:00Z or 2026-11-26), Unix seconds, or an age such as 30m, 24h, 7d, 2w"
        }
    }

    /// Resolves `text` against `now`: ages count back from it.
    public static func parse(_ text: String, now: Date = Date()) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = parseISO8601(trimmed) { return date }
        if let seconds = Double(trimmed), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let unit = trimmed.last, let amount = Double(trimmed.dropLast()), amount >= 0 {
            let scale: Double? = switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86_400
            case "w": 604_800
            default: nil
            }
            if let scale { return now.addingTimeInterval(-amount * scale) }
        }
        throw ParseError(text: text)
    }

    /// Parses ISO 8601 with or without fractional seconds, or a bare date (midnight UTC).
    public static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        if text.count == 10, let date = try? Date(text + "T00:00:00Z", strategy: Date.ISO8601FormatStyle()) { return date }
        return nil
    }

    /// Formats as ISO 8601 in UTC with milliseconds: `2026-11-26T10:00:00.123Z`.
    public static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
