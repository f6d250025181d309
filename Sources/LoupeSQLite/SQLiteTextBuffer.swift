import GRDB
import GRDBSQLite

/// Memory that holds the text of the row being bound, so that SQLite reads each value in place (SQLITE_STATIC)
/// instead of copying it into memory it allocates and frees per value (SQLITE_TRANSIENT).
///
/// A binder given this buffer copies the row's text into it and starts it over for the next row, so each value
/// stays put until its statement has run. Use it through `withBuffer(unbinding:)`, which leaves no statement
/// pointing into it once it is gone.
final class SQLiteTextBuffer {
    private static let chunkSize = 64 * 1024
    /// The row's text, in the last chunk unless it outgrew it; earlier chunks stay until the next row.
    private var chunks: [UnsafeMutableRawBufferPointer]
    private var used = 0
    private var rowBytes = 0

    private init() {
        chunks = [.allocate(byteCount: Self.chunkSize, alignment: 1)]
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// Runs `body` with a new buffer, then clears the bindings of `statements` so that none points into it.
    static func withBuffer<Result>(unbinding statements: Statement..., body: (SQLiteTextBuffer) throws -> Result) rethrows -> Result {
        let buffer = SQLiteTextBuffer()
        defer {
            for statement in statements { sqlite3_clear_bindings(statement.sqliteStatement) }
        }
        return try body(buffer)
    }

    /// Starts a row: what the last one copied is no longer needed once its statement has been reset.
    func startRow() {
        if chunks.count > 1 {
            // The last row did not fit in one chunk: keep one big enough for such a row from now on.
            for chunk in chunks { chunk.deallocate() }
            chunks = [.allocate(byteCount: max(Self.chunkSize, rowBytes * 2), alignment: 1)]
        }
        used = 0
        rowBytes = 0
    }

    /// Copies `bytes` in and returns where they are now (never nil, even for no bytes, which SQLite would read as NULL).
    func copy(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar> {
        if chunks[chunks.count - 1].count - used < bytes.count {
            chunks.append(.allocate(byteCount: max(Self.chunkSize, bytes.count), alignment: 1))
            used = 0
        }
        let start = chunks[chunks.count - 1].baseAddress! + used
        if let source = bytes.baseAddress { start.copyMemory(from: source, byteCount: bytes.count) }
        used += bytes.count
        rowBytes += bytes.count
        return UnsafePointer(start.assumingMemoryBound(to: CChar.self))
    }
}
