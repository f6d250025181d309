import Crypto
import Foundation
import LoupeCore

/// Makes virtual keys: `lk-` and 48 random hex digits, of which only the SHA-256 is ever stored.
public enum KeyMint {
    /// A new secret and what the store keeps of it.
    public struct Minted: Sendable {
        public var secret: String
        public var hash: String
        public var prefix: String
    }

    public static func mint() -> Minted {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = "lk-" + bytes.map { String(format: "%02x", $0) }.joined()
        return Minted(secret: secret, hash: hash(secret), prefix: String(secret.prefix(10)))
    }

    /// Lower-case hex SHA-256 of `secret`.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new key's id: `key_` and 16 hex digits.
    public static func newID() -> String {
        "key_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    }
}
