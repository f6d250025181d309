import LoupeCore
import NIOCore

extension FakeJSON {
    /// Parses a request body with Loupe's own JSON reader; nil when it is not valid JSON.
    static func parse(_ buffer: ByteBuffer) -> FakeJSON? {
        guard let value = try? JSONValue.parse(bytes: buffer.readableBytesView) else { return nil }
        return FakeJSON(value)
    }

    /// The same value; whole numbers become `.int` so token arrays and sizes read as integers.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = value.intValue.map(FakeJSON.int) ?? .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(FakeJSON.init))
        case .object(let members): self = .object(members.map { (key: $0.key, value: FakeJSON($0.value)) })
        }
    }
}
