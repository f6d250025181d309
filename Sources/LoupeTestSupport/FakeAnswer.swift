import HTTPTypes
import HummingbirdCore
import NIOCore

/// The fake's answer before it is written: by Hummingbird's responder (`response`), or by `FakeFastLane` on the
/// event loop.
struct FakeAnswer: Sendable {
    enum Body: Sendable {
        case bytes(ByteBuffer)
        /// Server-sent events, each its own write, `delayMilliseconds` apart. With `cutAfter`, that many events and
        /// then a broken body, so the connection closes before the chunked body ends. `onEnd` learns how it ended.
        case events([String], delayMilliseconds: Int, cutAfter: Int?, onEnd: @Sendable (_ completed: Bool) -> Void)
    }

    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Body

    /// The answer as a Hummingbird response.
    var response: Response {
        switch body {
        case .bytes(let bytes):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: bytes))
        case .events(let events, let delayMilliseconds, let cutAfter, let onEnd):
            let body = ResponseBody { writer in
                do {
                    for (index, event) in events.enumerated() {
                        if let cutAfter, index >= cutAfter {
                            throw FakeUpstreamError(description: "The fake upstream cut the stream after \(cutAfter) events, as x-fake-cut-after asked.")
                        }
                        if delayMilliseconds > 0, index > 0 {
                            try await Task.sleep(for: .milliseconds(delayMilliseconds))
                        }
                        try await writer.write(ByteBuffer(string: event))
                    }
                    try await writer.finish(nil)
                } catch {
                    onEnd(false)
                    throw error
                }
                onEnd(true)
            }
            return Response(status: status, headers: headers, body: body)
        }
    }
}
