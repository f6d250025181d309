import Foundation

/// Writes RFC 4180 CSV: CRLF line ends, and a field quoted when it holds a comma, a quote, CR or LF
/// (quotes inside doubled). A nil field is empty. A field a spreadsheet would run as a formula (`=`, `+`, `-` or
/// `@` first, and not a number) gets a leading `'`, since model names, users and tags come from clients.
public struct CSVWriter: Sendable {
    public private(set) var text = ""

    /// Starts a table with its header row.
    public init(header: [String]) {
        row(header)
    }

    /// Appends one record.
    public mutating func row(_ fields: [String?]) {
        text += fields.map { Self.field($0 ?? "") }.joined(separator: ",")
        text += "\r\n"
    }

    /// One field, defused if it would be a formula, and quoted only when it must be.
    public static func field(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number as the JSON reports write it: integers without a fraction, others in the shortest exact form.
    public static func number(_ value: Double?) -> String? {
        guard let value else { return nil }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// An exact decimal in plain notation (`0.000123`), as `cost_usd` is in JSON.
    public static func number(_ value: Decimal?) -> String? {
        value.map { "\($0)" }
    }
}
