import LoupeProxy
import NIOCore
import Testing

@Suite struct SSEParserTests {
    static let stream = "data: {\"a\":1}\n\nevent: response.output_text.delta\r\ndata: {\"delta\":\"héllo\"}\r\n\r\n: keep-alive\n\ndata: line one\ndata: line two\r\rdata: [DONE]\n\n"

    /// Feeds `text` split at the given byte offsets.
    func parse(_ text: String, splits: [Int]) -> (events: [SSEEvent], raw: [UInt8]) {
        let bytes = Array(text.utf8)
        var parser = SSEParser()
        var events: [SSEEvent] = []
        var start = 0
        for split in splits + [bytes.count] where split >= start {
            events += parser.feed(ByteBuffer(bytes: bytes[start..<split]))
            start = split
        }
        var raw: [UInt8] = []
        for event in events { raw += Array(event.raw.readableBytesView) }
        return (events, raw)
    }

    @Test func parsesEventsFieldsAndLineEndings() {
        let (events, _) = parse(Self.stream, splits: [])
        #expect(events.map(\.data) == ["{\"a\":1}", "{\"delta\":\"héllo\"}", nil, "line one\nline two", "[DONE]"])
        #expect(events.map(\.event) == [nil, "response.output_text.delta", nil, nil, nil])
    }

    @Test func givesTheSameEventsWhateverTheSplitPoint() {
        let whole = parse(Self.stream, splits: [])
        let count = Self.stream.utf8.count
        for first in 0...count {
            let split = parse(Self.stream, splits: [first])
            #expect(split.events.map(\.data) == whole.events.map(\.data), "split at \(first)")
            #expect(split.events.map(\.event) == whole.events.map(\.event), "split at \(first)")
            #expect(split.raw == Array(Self.stream.utf8), "raw bytes split at \(first)")
        }
    }

    @Test func givesTheSameEventsFedOneByteAtATime() {
        let whole = parse(Self.stream, splits: [])
        let split = parse(Self.stream, splits: Array(0...Self.stream.utf8.count))
        #expect(split.events.map(\.data) == whole.events.map(\.data))
        #expect(split.raw == Array(Self.stream.utf8))
    }

    @Test func keepsAnUnterminatedEventForTheEnd() {
        var parser = SSEParser()
        let events = parser.feed(ByteBuffer(string: "data: one\n\ndata: tw"))
        #expect(events.map(\.data) == ["one"])
        #expect(String(buffer: parser.unterminatedBytes) == "data: tw")
    }
}
