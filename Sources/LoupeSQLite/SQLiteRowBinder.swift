import GRDB
import GRDBSQLite

/// Binds one row's values straight to a prepared statement through SQLite's C API, then runs it.
///
/// GRDB's `StatementArguments` boxes every value into an existential and then a `DatabaseValue`;
/// for the 25 columns of a trace that was about a third of the insert time. This is used only inside
/// a write transaction that GRDB opened, on statements it prepared, and only for INSERTs (plain, OR REPLACE,
/// OR IGNORE, upserts) into tables that no GRDB observer watches, so GRDB's bookkeeping has nothing to see.
struct SQLiteRowBinder {
    private let statement: Statement
    private let connection: SQLiteConnection
    private var column: Int32 = 0

    init(_ statement: Statement, in db: Database) throws {
        self.statement = statement
        self.connection = db.sqliteConnection!
        try check(sqlite3_reset(statement.sqliteStatement))
    }

    mutating func bind(_ value: String?) throws {
        column += 1
        guard var value else { return try check(sqlite3_bind_null(statement.sqliteStatement, column)) }
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
        try check(value.map { sqlite3_bind_int64(statement.sqliteStatement, column, $0) }
            ?? sqlite3_bind_null(statement.sqliteStatement, column))
    }

    mutating func bind(_ value: Int?) throws { try bind(value.map(Int64.init)) }

    mutating func bind(_ value: Bool) throws { try bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: Double?) throws {
        column += 1
        try check(value.map { sqlite3_bind_double(statement.sqliteStatement, column, $0) }
            ?? sqlite3_bind_null(statement.sqliteStatement, column))
    }

    /// Runs the statement with the values bound so far.
    func execute() throws {
        try check(sqlite3_step(statement.sqliteStatement))  // an INSERT never returns a row
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
