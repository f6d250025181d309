import Foundation
import NIOCore
import NIOPosix

/// One answer read off a raw connection.
struct RawHTTPResponse: Sendable {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: String

    /// Takes one whole answer (framed by Content-Length) off the front of `bytes`, or nil when it has not all arrived.
    static func take(from bytes: inout [UInt8]) throws -> RawHTTPResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = lines.first?.split(separator: " "), statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw HarnessError("not an HTTP answer: \(lines.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let length = headers["content-length"].flatMap({ Int($0) }) else { throw HarnessError("an answer without Content-Length: \(lines)") }
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        let body = String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self)
        bytes.removeFirst(bodyStart + length)
        return RawHTTPResponse(status: status, headers: headers, body: body)
    }
}

/// A POST of `body` as raw HTTP/1.1 text.
func rawPost(_ path: String, body: String, headers: [String] = []) -> String {
    let extra = headers.map { $0 + "\r\n" }.joined()
    return "POST \(path) HTTP/1.1\r\nHost: loupe\r\nContent-Type: application/json\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
}

/// Talks to `port` over one connection: each step writes its text, then reads until that many more answers have come.
/// Exactly what crosses the socket is under the test's control, so HTTP pipelining can be tested.
func rawExchange(port: Int, _ steps: [(write: String, answers: Int)], timeout: Duration = .seconds(20)) async throws -> [RawHTTPResponse] {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
    }
    return try await withThrowingTaskGroup(of: [RawHTTPResponse].self) { group in
        group.addTask {
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var pending: [UInt8] = []
                var responses: [RawHTTPResponse] = []
                for step in steps {
                    try await outbound.write(ByteBuffer(string: step.write))
                    let wanted = responses.count + step.answers
                    while responses.count < wanted {
                        if let response = try RawHTTPResponse.take(from: &pending) {
                            responses.append(response)
                            continue
                        }
                        guard let chunk = try await iterator.next() else {
                            throw HarnessError("the connection closed after \(responses.count) of \(wanted) answers")
                        }
                        pending += chunk.readableBytesView
                    }
                }
                return responses
            }
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw HarnessError("no answer within \(timeout)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Sends one request and reads what comes back until the chunked body's last chunk or the connection's end;
/// `onFirstBytes` runs when the first bytes arrive.
func rawStream(port: Int, _ request: String, onFirstBytes: @escaping @Sendable () -> Void) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
    }
    return try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request))
        var received = ""
        for try await chunk in inbound {
            if received.isEmpty { onFirstBytes() }
            received += String(buffer: chunk)
            if received.hasSuffix("\r\n0\r\n\r\n") { break }
        }
        return received
    }
}
