import Foundation

/// An exact amount of US dollars, held as an integer count of pico-dollars (1e-12 USD).
///
/// Prices per million tokens with up to six decimals give whole pico-dollars per token,
/// so costs and their sums stay exact: no floating point anywhere.
public struct USD: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Pico-dollars per dollar.
    public static let picosPerDollar: Int64 = 1_000_000_000_000

    /// The amount in pico-dollars.
    public var picos: Int64

    public init(picos: Int64) { self.picos = picos }

    public static let zero = USD(picos: 0)

    /// Parses a plain decimal such as `"0.15"`; nil when it is not a number or finer than a pico-dollar.
    public init?(_ text: String) {
        guard let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self.init(exactly: decimal)
    }

    /// Converts a decimal amount; nil when it is not a whole number of pico-dollars or out of range.
    public init?(exactly dollars: Decimal) {
        var scaled = dollars * Decimal(USD.picosPerDollar)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, let value = Int64(exactly: NSDecimalNumber(decimal: rounded).int64Value),
              Decimal(value) == rounded
        else { return nil }
        self.picos = value
    }

    /// Rounds a decimal amount half-up to the nearest pico-dollar.
    public init(rounding dollars: Decimal) {
        var scaled = dollars * Decimal(USD.picosPerDollar)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        self.picos = NSDecimalNumber(decimal: rounded).int64Value
    }

    /// The exact amount as a `Decimal`.
    public var decimal: Decimal { Decimal(picos) / Decimal(USD.picosPerDollar) }

    /// The exact amount in plain decimal notation, without trailing zeros: `0.000123`.
    public var description: String {
        // Written into one buffer, last digit first: it goes into every answer's cost header.
        String(unsafeUninitializedCapacity: 32) { text in
            var magnitude = picos.magnitude
            var position = 32
            var significant = false
            for _ in 0..<12 {
                let digit = UInt8(magnitude % 10)
                magnitude /= 10
                if digit != 0 || significant {
                    significant = true
                    position -= 1
                    text[position] = UInt8(ascii: "0") + digit
                }
            }
            if significant {
                position -= 1
                text[position] = UInt8(ascii: ".")
            }
            repeat {
                position -= 1
                text[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if picos < 0 {
                position -= 1
                text[position] = UInt8(ascii: "-")
            }
            let count = 32 - position
            for index in 0..<count { text[index] = text[position + index] }
            return count
        }
    }

    public static func + (lhs: USD, rhs: USD) -> USD { USD(picos: lhs.picos + rhs.picos) }
    public static func += (lhs: inout USD, rhs: USD) { lhs.picos += rhs.picos }
    public static func < (lhs: USD, rhs: USD) -> Bool { lhs.picos < rhs.picos }

    /// Encodes as a JSON number with the exact decimal digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(decimal)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let decimal: Decimal
        if let text = try? container.decode(String.self), let parsed = Decimal(string: text) {
            decimal = parsed
        } else {
            decimal = try container.decode(Decimal.self)
        }
        self.init(rounding: decimal)
    }
}
