import Foundation
import LoupeCore
import NIOCore

/// A client's JSON request body: the fields the proxy routes and records by, and in-place edits.
public struct ProxyRequestBody: Sendable {
    /// Why a body cannot be proxied; each maps to a 400 in OpenAI's error shape.
    public enum Problem: Error, Equatable, Sendable {
        case malformedJSON(String)
        case notAnObject
        case invalidField(name: String, expected: String)
    }

    /// The body as received.
    public let bytes: [UInt8]
    public let model: String?
    public let stream: Bool
    /// `stream_options.include_usage` as the client sent it.
    public let clientIncludesUsage: Bool
    public let user: String?

    /// Parses and validates `bytes` as a JSON object.
    public init(bytes: [UInt8]) throws(Problem) {
        self.bytes = bytes
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw .notAnObject
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidField(name: context.codingPath.map(\.stringValue).joined(separator: "."), expected: Self.expectedType(context.codingPath))
        } catch {
            throw .malformedJSON(Self.describe(error))
        }
        self.model = fields.model
        self.stream = fields.stream ?? false
        self.clientIncludesUsage = fields.stream_options?.include_usage ?? false
        self.user = fields.user
    }

    /// The body with `model` replaced, keeping every other byte as the client sent it.
    public func replacingModel(with newModel: String, in bytes: [UInt8]) -> [UInt8] {
        guard let scan = JSONObjectScanner.members(of: bytes),
              let member = scan.members.last(where: { $0.key == "model" })
        else { return bytes }
        var result = bytes
        result.replaceSubrange(member.valueRange, with: Array(JSONValue.string(newModel).jsonText.utf8))
        return result
    }

    /// The body with `stream_options.include_usage` set to true, so the provider reports usage on a stream.
    public func requestingUsage(in bytes: [UInt8]) -> [UInt8] {
        guard let scan = JSONObjectScanner.members(of: bytes) else { return bytes }
        var result = bytes
        if let options = scan.members.last(where: { $0.key == "stream_options" }) {
            let optionBytes = Array(bytes[options.valueRange])
            var rebuilt = Array("{\"include_usage\":true".utf8)
            if let inner = JSONObjectScanner.members(of: optionBytes) {
                for member in inner.members where member.key != "include_usage" {
                    rebuilt.append(UInt8(ascii: ","))
                    rebuilt.append(contentsOf: optionBytes[member.memberRange])
                }
            }
            rebuilt.append(UInt8(ascii: "}"))
            result.replaceSubrange(options.valueRange, with: rebuilt)
        } else {
            let separator = scan.members.isEmpty ? "" : ","
            result.insert(contentsOf: Array("\"stream_options\":{\"include_usage\":true}\(separator)".utf8), at: scan.openBrace + 1)
        }
        return result
    }

    private struct Fields: Decodable {
        var model: String?
        var stream: Bool?
        var stream_options: StreamOptions?
        var user: String?

        struct StreamOptions: Decodable {
            var include_usage: Bool?
        }
    }

    private static func expectedType(_ path: [any CodingKey]) -> String {
        switch path.map(\.stringValue).joined(separator: ".") {
        case "stream", "stream_options.include_usage": "a boolean"
        case "stream_options": "an object"
        default: "a string"
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError?, let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        }
        return "\(error)"
    }
}
