import Crypto
import Foundation

/// Answers kept on disk, keyed by the request (model, prompt, variables, parameters), for a time: a suite
/// run again while a prompt is being edited pays only for what changed. Only successful answers are kept.
public struct EvalResponseCache: Sendable {
    public let directory: String
    public let ttlSeconds: Double

    public init(directory: String, ttlSeconds: Double = 24 * 3600) {
        self.directory = directory
        self.ttlSeconds = ttlSeconds
    }

    /// The kept answer for `key`, if one is younger than the TTL.
    public func output(for key: String) -> EvalOutput? {
        let path = file(for: key)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date,
              Date().timeIntervalSince(modified) < ttlSeconds,
              let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return try? JSONDecoder().decode(EvalOutput.self, from: data)
    }

    /// Keeps `output` for `key`. A cache that cannot be written is not an error: the run goes on without it.
    public func store(_ output: EvalOutput, for key: String) {
        guard let data = try? JSONEncoder().encode(output) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Written whole, then renamed, so a reader never sees half a file.
        let path = file(for: key)
        let temporary = path + ".\(UUID().uuidString).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    }

    func file(for key: String) -> String {
        let digest = SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
        return directory + "/" + digest + ".json"
    }
}
