import GRDB
import GRDBSQLite

/// Binds one row's values straight to a prepared statement through SQLite's C API, then runs it.
///
/// GRDB's `StatementArguments` boxes every value into an existential and then a `DatabaseValue`;
/// for the 25 columns of a trace that was about a third of the insert time. This is used only inside
/// a write transaction that GRDB opened, on statements it prepared, and only for INSERTs (plain, OR REPLACE,
/// OR IGNORE, upserts) into tables that no GRDB observer watches, so GRDB's bookkeeping has nothing to see, and for
/// single-row SELECTs: the rollup row read before its upsert, the run or experiment a tracking write looks up.
///
/// Every parameter starts NULL, so a nil value costs no call into SQLite. With a `SQLiteTextBuffer`, text is bound
/// where the buffer holds it rather than copied by SQLite.
struct SQLiteRowBinder {
    private let statement: Statement
    private let connection: SQLiteConnection
    private let text: SQLiteTextBuffer?
    private var column: Int32 = 0

    init(_ statement: Statement, in db: Database, text: SQLiteTextBuffer? = nil) throws {
        self.statement = statement
        self.connection = db.sqliteConnection!
        self.text = text
        try check(sqlite3_reset(statement.sqliteStatement))
        try check(sqlite3_clear_bindings(statement.sqliteStatement))
        text?.startRow()
    }

    mutating func bind(_ value: String?) throws {
        column += 1
        guard var value else { return }
        if let text {
            let code = value.withUTF8 { bytes in
                sqlite3_bind_text(statement.sqliteStatement, column, text.copy(bytes), Int32(bytes.count), nil)  // SQLITE_STATIC
            }
            return try check(code)
        }
        // An empty buffer may have no address, and SQLite reads a nil pointer as NULL, not ''.
        guard !value.isEmpty else { return try check(sqlite3_bind_text(statement.sqliteStatement, column, "", 0, Self.transient)) }
        let code = value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { text in
                sqlite3_bind_text(statement.sqliteStatement, column, text.baseAddress, Int32(text.count), Self.transient)
            }
        }
        try check(code)
    }

    mutating func bind(_ value: Int64?) throws {
        column += 1
        guard let value else { return }
        try check(sqlite3_bind_int64(statement.sqliteStatement, column, value))
    }

    mutating func bind(_ value: Int?) throws { try bind(value.map(Int64.init)) }

    mutating func bind(_ value: Bool) throws { try bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: Double?) throws {
        column += 1
        guard let value else { return }
        try check(sqlite3_bind_double(statement.sqliteStatement, column, value))
    }

    mutating func bind(_ bytes: [UInt8]) throws {
        column += 1
        let code = bytes.withUnsafeBytes { buffer in
            // A nil address would bind NULL, and the column may be NOT NULL: an empty blob gets a real one.
            sqlite3_bind_blob(statement.sqliteStatement, column, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), Self.transient)
        }
        try check(code)
    }

    /// Runs the statement with the values bound so far.
    func execute() throws {
        try check(sqlite3_step(statement.sqliteStatement))  // an INSERT never returns a row
    }

    /// Runs a query with the values bound so far: true when it found a row, which `int64(at:)` and `bytes(at:)` read
    /// (columns from 0) until the next `step` or `reset`.
    func step() throws -> Bool {
        let code = sqlite3_step(statement.sqliteStatement)
        if code == SQLITE_ROW { return true }
        try check(code)
        return false
    }

    func int64(at index: Int32) -> Int64 {
        sqlite3_column_int64(statement.sqliteStatement, index)
    }

    /// The column's bytes, valid until the next `step` or `reset`.
    func bytes(at index: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let base = sqlite3_column_blob(statement.sqliteStatement, index) else { return UnsafeBufferPointer(start: nil, count: 0) }
        // The length is asked after the pointer, as SQLite's documentation says to.
        let count = Int(sqlite3_column_bytes(statement.sqliteStatement, index))
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Ends a query early, so that the statement holds no read cursor while others write.
    func reset() {
        sqlite3_reset(statement.sqliteStatement)
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK || code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(statement.sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// SQLite copies the text before the call returns (SQLITE_TRANSIENT), so Swift may free it after.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
