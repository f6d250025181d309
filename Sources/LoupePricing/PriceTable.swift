import Foundation
import LoupeCore

/// Model prices by name, with the lookup rules that map a provider's reported name to a priced one.
public struct PriceTable: Sendable {
    public private(set) var prices: [String: ModelPrice]
    /// The date the table's prices were checked, from its data file.
    public private(set) var updated: String?

    public init(prices: [String: ModelPrice], updated: String? = nil) {
        self.prices = prices
        self.updated = updated
    }

    /// The table that ships inside the binary (`prices.json`).
    public static let builtIn: PriceTable = {
        do {
            return try PriceTable(json: Data(builtInPriceTableJSON.utf8), source: "built-in prices.json")
        } catch {
            preconditionFailure("the embedded price table is invalid: \(error)")
        }
    }()

    /// Reads a table in the `prices.json` shape: `{"models": {"name": {"input": "0.15", …}}}`.
    public init(json: Data, source: String) throws {
        let file: PriceFile
        do {
            file = try JSONDecoder().decode(PriceFile.self, from: json)
        } catch {
            throw PricingError(source: source, message: "is not a price table: \(error)")
        }
        var prices: [String: ModelPrice] = [:]
        for (name, entry) in file.models {
            prices[name] = try entry.price(model: name, source: source)
        }
        self.init(prices: prices, updated: file.updated)
    }

    /// Reads a pricing file from disk.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PricingError(source: path, message: "cannot be read: check that the file exists and is readable")
        }
        try self.init(json: data, source: path)
    }

    /// This table with `other`'s entries added, replacing any of the same name.
    public func merging(_ other: PriceTable) -> PriceTable {
        PriceTable(prices: prices.merging(other.prices) { _, new in new }, updated: updated)
    }

    /// The price for a model name, trying the name as given, then without a `provider/` prefix,
    /// then without a date or `-latest` suffix.
    public func price(for model: String) -> ModelPrice? {
        for candidate in Self.candidates(for: model) {
            if let price = prices[candidate] { return price }
        }
        return nil
    }

    /// The names tried for `model`, in order.
    static func candidates(for model: String) -> [String] {
        var names = [model]
        if let slash = model.lastIndex(of: "/") {
            names.append(String(model[model.index(after: slash)...]))
        }
        for name in names {
            if let base = undated(name), !names.contains(base) { names.append(base) }
        }
        return names
    }

    /// `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `claude-3-5-haiku-20241022` → `claude-3-5-haiku`,
    /// `gpt-4-0613` → `gpt-4`, `gemini-2.0-flash-001` → `gemini-2.0-flash`, `mistral-large-latest` → `mistral-large`;
    /// nil when nothing to strip.
    static func undated(_ name: String) -> String? {
        var parts = name.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return nil }
        let isDigits = { (part: String) in !part.isEmpty && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) }
        let last = parts[parts.count - 1]
        if last == "latest" {
            parts.removeLast()
        } else if parts.count >= 4, isDigits(last), last.count == 2,
            isDigits(parts[parts.count - 2]), parts[parts.count - 2].count == 2,
            isDigits(parts[parts.count - 3]), parts[parts.count - 3].count == 4
        {
            parts.removeLast(3)  // -YYYY-MM-DD
        } else if isDigits(last), [3, 4, 8].contains(last.count) {
            parts.removeLast()  // -YYYYMMDD, -MMDD or a -001 revision
        } else {
            return nil
        }
        return parts.joined(separator: "-")
    }
}

/// A price table that could not be read, naming the file and what is wrong.
public struct PricingError: Error, CustomStringConvertible {
    public var source: String
    public var message: String
    public var description: String { "pricing: \(source) \(message)" }
}

private struct PriceFile: Decodable {
    var updated: String?
    var models: [String: Entry]

    struct Entry: Decodable {
        var provider: String?
        var input: Amount
        var output: Amount?
        var cached_input: Amount?
        var cache_write_input: Amount?
        var reasoning: Amount?

        func price(model: String, source: String) throws -> ModelPrice {
            func usd(_ amount: Amount?, _ field: String) throws -> USD? {
                guard let amount else { return nil }
                guard let value = USD(amount.text), value.picos >= 0 else {
                    throw PricingError(
                        source: source,
                        message: "has an invalid \(field) price for '\(model)': '\(amount.text)'; expected a non-negative USD amount per 1M tokens with at most 12 decimals, such as \"0.15\""
                    )
                }
                return value
            }
            return ModelPrice(
                provider: provider,
                input: try usd(input, "input")!,
                output: try usd(output, "output"),
                cachedInput: try usd(cached_input, "cached_input"),
                reasoning: try usd(reasoning, "reasoning"),
                cacheWriteInput: try usd(cache_write_input, "cache_write_input")
            )
        }
    }

    /// A price written as a JSON string (exact) or number.
    struct Amount: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                self.text = "\(try container.decode(Decimal.self))"
            }
        }
    }
}
