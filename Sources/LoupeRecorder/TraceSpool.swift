import Foundation
import LoupeCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file of trace batches the store could not take, replayed in order once it answers.
///
/// Each batch is one line of JSON, written whole and fsynced before `append` returns, so a batch
/// that was spooled survives a crash. Replaying is safe to repeat: stores ignore ids they hold.
public final class TraceSpool: Sendable {
    /// Why the spool file cannot be used.
    public struct SpoolError: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var code: Int32
        public var description: String {
            "cannot \(operation) the trace spool at \(path): \(String(cString: strerror(code))). "
                + "Check that its folder exists, is writable and has free space (store.spool in the config)."
        }
    }

    private struct State {
        var descriptor: Int32
        var backlog: Int
    }

    /// The file's path.
    public let path: String
    private let state: Mutex<State>
    private let backlogCount = Atomic<Int>(0)

    /// Opens or creates the spool at `path`. Traces left by an earlier run count as backlog.
    public init(path: String) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError(path: path, operation: "open", code: errno) }
        self.state = Mutex(State(descriptor: descriptor, backlog: 0))
        let (count, intactBytes) = try Self.scan(path: path)
        // A batch torn by a crash mid-write was never acknowledged; cut it so later appends stay whole lines.
        if let intactBytes, ftruncate(descriptor, off_t(intactBytes)) != 0 {
            throw SpoolError(path: path, operation: "repair", code: errno)
        }
        state.withLock { $0.backlog = count }
        backlogCount.store(count, ordering: .relaxed)
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// Traces spooled and not yet replayed.
    public var backlog: Int { backlogCount.load(ordering: .relaxed) }

    /// Appends one batch as one line and waits until it is on disk.
    public func append(_ batch: [Trace]) throws {
        guard !batch.isEmpty else { return }
        var line = ""
        JSONValue.array(batch.map(\.spoolRecord)).write(to: &line)
        line.append("\n")
        try state.withLock { state in
            let end = lseek(state.descriptor, 0, SEEK_END)
            do {
                try line.withUTF8 { try Self.writeAll($0, to: state.descriptor, path: path) }
                guard fsync(state.descriptor) == 0 else { throw SpoolError(path: path, operation: "sync", code: errno) }
            } catch {
                // Cut a half-written line (disk full, say) so the file stays whole lines.
                if end >= 0 { _ = ftruncate(state.descriptor, end) }
                throw error
            }
            state.backlog += batch.count
            backlogCount.store(state.backlog, ordering: .relaxed)
        }
    }

    /// Calls `body` with each spooled batch, oldest first.
    public func forEachBatch(_ body: ([Trace]) async throws -> Void) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SpoolError(path: path, operation: "read", code: errno)
        }
        defer { try? handle.close() }
        var pending = Data()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[(newline + 1)...])
                try await body(Self.batch(from: line))
            }
        }
    }

    /// Empties the spool after every batch in it has been stored.
    public func clear() throws {
        try state.withLock { state in
            guard ftruncate(state.descriptor, 0) == 0, fsync(state.descriptor) == 0 else {
                throw SpoolError(path: path, operation: "truncate", code: errno)
            }
            state.backlog = 0
            backlogCount.store(0, ordering: .relaxed)
        }
    }

    private static func batch(from line: Data) -> [Trace] {
        guard case .array(let records)? = try? JSONValue.parse(bytes: line) else { return [] }
        return records.compactMap(Trace.init(spoolRecord:))
    }

    /// Counts the traces in whole lines; returns the length of the intact prefix when the file ends in a torn line.
    private static func scan(path: String) throws -> (count: Int, intactBytes: Int?) {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        var count = 0
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            count += batch(from: data[start..<newline]).count
            start = newline + 1
        }
        return (count, start == data.endIndex ? nil : start - data.startIndex)
    }

    private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SpoolError(path: path, operation: "write to", code: errno)
            }
            offset += written
        }
    }
}
