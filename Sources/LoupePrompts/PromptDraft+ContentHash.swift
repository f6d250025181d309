import Crypto
import LoupeCore

extension PromptDraft {
    /// Hex SHA-256 of the canonical content: a push makes a new version only when this changes.
    public var contentHash: String {
        SHA256.hash(data: Array(canonicalContent.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
