/// Writes compact JSON straight into bytes, so large answers (a 10,000-point metric history, a page of
/// runs) need not be built as a `JSONValue` tree first. Commas are placed automatically.
///
/// The small writes are `@inlinable`, so that a caller in another module that writes thousands of values (a page of
/// runs) gets them inlined instead of a call each.
public struct JSONWriter: Sendable {
    /// The JSON written so far, as UTF-8.
    public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8]
    /// True right after a complete value, when the next key or item needs a comma first.
    @usableFromInline var afterValue = false

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// The JSON written so far, as text.
    public var text: String { String(decoding: storage, as: UTF8.self) }

    /// Opens an object; close it with `endObject()`.
    @inlinable
    public mutating func beginObject() {
        separate()
        storage.append(UInt8(ascii: "{"))
        afterValue = false
    }

    /// Closes the innermost object.
    @inlinable
    public mutating func endObject() {
        storage.append(UInt8(ascii: "}"))
        afterValue = true
    }

    /// Opens an array; close it with `endArray()`.
    @inlinable
    public mutating func beginArray() {
        separate()
        storage.append(UInt8(ascii: "["))
        afterValue = false
    }

    /// Closes the innermost array.
    @inlinable
    public mutating func endArray() {
        storage.append(UInt8(ascii: "]"))
        afterValue = true
    }

    /// A member name known at compile time; it must need no escaping.
    @inlinable
    public mutating func key(_ name: StaticString) {
        separate()
        storage.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { storage.append(contentsOf: $0) }
        storage.append(UInt8(ascii: "\""))
        storage.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// A member name, escaped as needed.
    @inlinable
    public mutating func key(_ name: String) {
        separate()
        writeQuoted(name)
        storage.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// A string value, escaped as needed.
    @inlinable
    public mutating func string(_ value: String) {
        separate()
        writeQuoted(value)
        afterValue = true
    }

    /// A whole number.
    public mutating func number(_ value: Int64) {
        separate()
        // Digits from the last, into a buffer on the stack: a division by the constant 10 compiles to a
        // multiplication, where finding the leading digit's power of ten first took two real divisions a digit
        // (a 13-digit millisecond timestamp cost about as much as the rest of its metric's JSON).
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { storage.append(UInt8(ascii: "-")) }
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
        afterValue = true
    }

    /// A number: whole values without a fraction (token counts stay `5`, not `5.0`), others in Swift's
    /// shortest round-tripping form. JSON has no NaN or infinity, so those are written as null.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return number(Int64(value)) }
        separate()
        storage.append(contentsOf: value.description.utf8)
        afterValue = true
    }

    /// `true` or `false`.
    @inlinable
    public mutating func bool(_ value: Bool) {
        separate()
        storage.append(contentsOf: value ? "true".utf8 : "false".utf8)
        afterValue = true
    }

    /// `null`.
    @inlinable
    public mutating func null() {
        separate()
        storage.append(contentsOf: "null".utf8)
        afterValue = true
    }

    /// Any JSON value; object members are written in key order, so equal values give equal text.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for key in members.keys.sorted() {
                self.key(key)
                self.value(members[key]!)
            }
            endObject()
        }
    }

    @inlinable
    mutating func separate() {
        if afterValue { storage.append(UInt8(ascii: ",")) }
    }

    /// `"text"` with quotes, backslashes and control characters escaped; `/` and non-ASCII are left as they are.
    @usableFromInline
    mutating func writeQuoted(_ text: String) {
        storage.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                storage.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                storage.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): storage.append(byte)
                case 0x0A: storage.append(UInt8(ascii: "n"))
                case 0x0D: storage.append(UInt8(ascii: "r"))
                case 0x09: storage.append(UInt8(ascii: "t"))
                case 0x08: storage.append(UInt8(ascii: "b"))
                case 0x0C: storage.append(UInt8(ascii: "f"))
                default: storage.append(contentsOf: "u00\(byte < 0x10 ? "0" : "")\(String(byte, radix: 16))".utf8)
                }
            }
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        storage.append(UInt8(ascii: "\""))
    }
}
