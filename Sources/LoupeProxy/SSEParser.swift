import NIOCore

/// An incremental parser for `text/event-stream` bodies.
///
/// Feed it reads as they arrive, split anywhere (inside a line, between CR and LF, inside a
/// UTF-8 sequence); it returns each event once its terminating blank line has arrived.
public struct SSEParser: Sendable {
    private var pending: [UInt8] = []
    /// Where scanning resumes in `pending`.
    private var scanIndex = 0
    /// Where the current event's first line starts in `pending`.
    private var eventStart = 0
    /// A CR ended the last line; an LF right after it belongs to the same line break.
    private var skipLineFeed = false
    private var eventName: String?
    private var dataLines: [String] = []
    private var sawData = false

    public init() {}

    /// Adds bytes and returns the events they complete.
    public mutating func feed(_ buffer: ByteBuffer) -> [SSEEvent] {
        pending.append(contentsOf: buffer.readableBytesView)
        var events: [SSEEvent] = []
        var lineStart = scanIndex
        var index = scanIndex
        while index < pending.count {
            let byte = pending[index]
            if skipLineFeed {
                skipLineFeed = false
                if byte == UInt8(ascii: "\n") {
                    index += 1
                    lineStart = index
                    if lineStart == pending.count { break }
                    continue
                }
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                skipLineFeed = byte == UInt8(ascii: "\r")
                let isBlank = index == lineStart
                if !isBlank { processLine(pending[lineStart..<index]) }
                index += 1
                // Swallow the LF of a CRLF now if it is already here, so `raw` ends after it.
                if skipLineFeed, index < pending.count, pending[index] == UInt8(ascii: "\n") {
                    skipLineFeed = false
                    index += 1
                }
                lineStart = index
                if isBlank {
                    events.append(makeEvent(end: index))
                    eventStart = index
                }
            } else {
                index += 1
            }
        }
        scanIndex = lineStart
        compact()
        return events
    }

    /// The bytes received after the last complete event: an unfinished event at the end of the stream.
    public var unterminatedBytes: ByteBuffer {
        ByteBuffer(bytes: pending[eventStart...])
    }

    private mutating func processLine(_ line: ArraySlice<UInt8>) {
        if line.first == UInt8(ascii: ":") { return }  // comment
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[line.startIndex..<(colon ?? line.endIndex)], as: UTF8.self)
        var value: ArraySlice<UInt8> = []
        if let colon {
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        }
        switch field {
        case "data":
            dataLines.append(String(decoding: value, as: UTF8.self))
            sawData = true
        case "event":
            eventName = String(decoding: value, as: UTF8.self)
        default:
            break  // id, retry and unknown fields do not matter to a proxy
        }
    }

    private mutating func makeEvent(end: Int) -> SSEEvent {
        let event = SSEEvent(
            event: eventName,
            data: sawData ? dataLines.joined(separator: "\n") : nil,
            raw: ByteBuffer(bytes: pending[eventStart..<end])
        )
        eventName = nil
        dataLines.removeAll(keepingCapacity: true)
        sawData = false
        return event
    }

    /// Drops bytes that belong to events already returned.
    private mutating func compact() {
        guard eventStart > 0 else { return }
        pending.removeFirst(eventStart)
        scanIndex -= eventStart
        eventStart = 0
    }
}
