import Foundation
import Hummingbird
import HummingbirdCore
import LoupeCore

/// The fields of an MLflow call: from the query string for GET (a repeated key makes a list), from the
/// JSON body otherwise. Typed readers answer `INVALID_PARAMETER_VALUE` naming the field.
struct MLflowRequest: Sendable {
    let fields: [String: JSONValue]

    /// The largest JSON body an MLflow call may send; a log-batch of 1,000 metrics is about 100 KB.
    static let maxBodyBytes = 16 * 1024 * 1024

    init(_ request: Request) async throws {
        if request.method == .get {
            self.fields = Self.formFields(request.uri.query ?? "")
            return
        }
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        guard body.readableBytes > 0 else {
            self.fields = [:]
            return
        }
        guard case .object(let fields)? = try? JSONValue.parse(bytes: body.readableBytesView) else {
            throw MLflowError.invalidParameter("The request body must be a JSON object.")
        }
        self.fields = fields
    }

    /// A query string read as HTML forms write it, which is how the client sends one: `+` is a space and
    /// `%XX` a byte; a key given more than once makes a list.
    static func formFields(_ query: String) -> [String: JSONValue] {
        var lists: [String: [String]] = [:]
        var order: [String] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if lists[key] == nil { order.append(key) }
            lists[key, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        var fields: [String: JSONValue] = [:]
        for key in order {
            let values = lists[key]!
            fields[key] = values.count == 1 ? .string(values[0]) : .array(values.map(JSONValue.string))
        }
        return fields
    }

    init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    func string(_ key: String) throws(MLflowError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case .number(let value)?: return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value)?: return String(value)
        default: throw .invalidParameter("Invalid value for parameter '\(key)': expected a string.")
        }
    }

    func requiredString(_ key: String) throws(MLflowError) -> String {
        guard let value = try string(key) else { throw .invalidParameter("Missing value for required parameter '\(key)'.") }
        return value
    }

    /// A run id, given as `run_id` or as the older `run_uuid`.
    func runID() throws(MLflowError) -> String {
        var id = try string("run_id")
        if id == nil { id = try string("run_uuid") }
        guard let id, !id.isEmpty else {
            throw .invalidParameter("Missing value for required parameter 'run_id'.")
        }
        return id
    }

    /// A 64-bit integer, as a JSON number or a decimal string (protobuf's JSON writes int64 as strings).
    func int64(_ key: String) throws(MLflowError) -> Int64? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let value)? where value == value.rounded() && abs(value) < 9.2e18: return Int64(value)
        case .string(let text)?: if let value = Int64(text) { return value }
        default: break
        }
        throw .invalidParameter("Invalid value for parameter '\(key)': expected an integer.")
    }

    /// A double that may arrive as "NaN", "Infinity" or "-Infinity".
    func double(_ key: String) throws(MLflowError) -> Double? {
        guard let value = fields[key], value != .null else { return nil }
        guard let number = Self.double(value) else { throw .invalidParameter("Invalid value for parameter '\(key)': expected a number.") }
        return number
    }

    static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string("NaN"): .nan
        case .string("Infinity"): .infinity
        case .string("-Infinity"): -.infinity
        case .string(let text): Double(text)
        default: nil
        }
    }

    func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(MLflowError) -> Int {
        guard let value = try int64(key) else { return fallback }
        guard range.contains(Int(value)) else {
            throw .invalidParameter("Invalid value \(value) for parameter '\(key)': it must be from \(range.lowerBound) to \(range.upperBound).")
        }
        return Int(value)
    }

    /// A list of strings; a single string counts as a list of one (a GET with the key once).
    func strings(_ key: String) throws(MLflowError) -> [String] {
        switch fields[key] {
        case nil, .null?: return []
        case .string(let value)?: return [value]
        case .array(let items)?:
            var result: [String] = []
            for item in items {
                guard case .string(let value) = item else { throw .invalidParameter("Invalid value for parameter '\(key)': expected a list of strings.") }
                result.append(value)
            }
            return result
        default: throw .invalidParameter("Invalid value for parameter '\(key)': expected a list of strings.")
        }
    }

    /// `[{"key": …, "value": …}]` pairs, in order.
    func keyValues(_ key: String) throws(MLflowError) -> [(key: String, value: String)] {
        guard let value = fields[key], value != .null else { return [] }
        guard case .array(let items) = value else { throw .invalidParameter("Invalid value for parameter '\(key)': expected a list of {key, value}.") }
        var pairs: [(key: String, value: String)] = []
        for item in items {
            guard case .object(let members) = item else { throw .invalidParameter("Invalid value for parameter '\(key)': expected a list of {key, value}.") }
            let entry = MLflowRequest(fields: members)
            pairs.append((try entry.requiredString("key"), try entry.string("value") ?? ""))
        }
        return pairs
    }

    /// `view_type` / `run_view_type`: ACTIVE_ONLY (the default), DELETED_ONLY or ALL.
    func viewType(_ key: String) throws(MLflowError) -> ViewType {
        guard let text = try string(key) else { return .activeOnly }
        if let view = ViewType(rawValue: text) { return view }
        // Protobuf enums may arrive by number.
        switch text {
        case "1": return .activeOnly
        case "2": return .deletedOnly
        case "3": return .all
        default: throw .invalidParameter("Invalid value '\(text)' for parameter '\(key)': expected ACTIVE_ONLY, DELETED_ONLY or ALL.")
        }
    }
}
