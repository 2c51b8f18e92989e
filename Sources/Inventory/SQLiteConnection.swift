import CSQLite

/// One SQLite connection with a cache of prepared statements.
///
/// Safety: a connection is used by one task at a time: the writer is guarded by `SQLiteDatabase`'s lock and a
/// reader is owned by whoever took it out of the pool, so its mutable state is never touched concurrently.
final class SQLiteConnection: @unchecked Sendable {
    private struct Prepared {
        let statement: OpaquePointer
        let columns: SQLColumns
        let readOnly: Bool
    }

    private let handle: OpaquePointer
    private var cache: [String: Prepared] = [:]
    private static let cacheLimit = 256
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens (and creates) the database at `path` (`:memory:` for a private in-memory database).
    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw SQLDriverError(kind: .connection, message: "cannot open SQLite database \(path): \(message)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        for prepared in cache.values { sqlite3_finalize(prepared.statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs several statements without parameters (pragmas, schema scripts).
    func executeScript(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "error \(code)"
            sqlite3_free(errorMessage)
            throw Self.error(code: sqlite3_extended_errcode(handle), message: message)
        }
    }

    /// Runs one statement with bound values and returns its rows; with `onlyIfReadOnly`, returns nil without
    /// running a statement that would write (the caller sends it to the writer connection instead).
    func query(_ sql: String, _ binds: [SQLValue], onlyIfReadOnly: Bool = false) throws -> [SQLRow]? {
        let prepared = try prepare(sql)
        if onlyIfReadOnly && !prepared.readOnly { return nil }
        let statement = prepared.statement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .real(let number): code = sqlite3_bind_double(statement, index, number)
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            }
            guard code == SQLITE_OK else { throw lastError(code: code) }
        }
        var rows: [SQLRow] = []
        let columnCount = sqlite3_column_count(statement)
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw lastError(code: code) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_NULL: values.append(.null)
                default:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    if let bytes = sqlite3_column_text(statement, column) {
                        values.append(
                            .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
                        )
                    } else {
                        values.append(.text(""))
                    }
                }
            }
            rows.append(SQLRow(columns: prepared.columns, values: values))
        }
        return rows
    }

    private func prepare(_ sql: String) throws -> Prepared {
        if let cached = cache[sql] { return cached }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw lastError(code: code) }
        let names = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
        let prepared = Prepared(
            statement: statement,
            columns: SQLColumns(names),
            readOnly: sqlite3_stmt_readonly(statement) != 0
        )
        if cache.count >= Self.cacheLimit {
            for old in cache.values { sqlite3_finalize(old.statement) }
            cache.removeAll(keepingCapacity: true)
        }
        cache[sql] = prepared
        return prepared
    }

    private func lastError(code: Int32) -> SQLDriverError {
        Self.error(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }

    // SQLite's extended result codes (macros the C importer does not bring over).
    private static let constraintUnique: Int32 = 2067
    private static let constraintPrimaryKey: Int32 = 1555
    private static let constraintForeignKey: Int32 = 787
    private static let constraintCheck: Int32 = 275
    private static let constraintNotNull: Int32 = 1299

    private static func error(code: Int32, message: String) -> SQLDriverError {
        switch code {
        case constraintUnique, constraintPrimaryKey:
            SQLDriverError(kind: .uniqueViolation, message: message)
        case constraintForeignKey:
            SQLDriverError(kind: .foreignKeyViolation, message: message)
        case constraintCheck, constraintNotNull:
            SQLDriverError(kind: .checkViolation, message: message)
        case _ where code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED:
            SQLDriverError(kind: .busy, message: message)
        default:
            SQLDriverError(kind: .other, message: message)
        }
    }
}
