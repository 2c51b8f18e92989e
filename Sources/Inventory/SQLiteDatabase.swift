import Synchronization

/// The embedded store: one SQLite file in WAL mode, one writer connection and a pool of readers.
///
/// Statements run on the calling task (they are short: indexed lookups and bounded pages), which keeps a
/// lookup at a few microseconds instead of paying a thread hop per statement.
public final class SQLiteDatabase: SQLDatabase {
    /// SQLite's dialect.
    public var dialect: SQLDialect { .sqlite }

    private let path: String
    private let inMemory: Bool
    private let writer: SQLiteConnection
    private let writeLock = AsyncLock()
    private let readers = Mutex<[SQLiteConnection]>([])
    private let closed = Mutex(false)

    /// Opens (creating if needed) the database file at `path`; `nil` gives a private in-memory database.
    public init(path: String?) throws {
        self.path = path ?? ":memory:"
        self.inMemory = path == nil
        writer = try SQLiteConnection(path: self.path)
        try writer.executeScript(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            PRAGMA temp_store = MEMORY;
            \(Self.readTuning)
            """
        )
        if !inMemory {
            // Fold what a previous run left in the write-ahead log into the file: reads then find pages directly.
            try writer.executeScript("PRAGMA wal_checkpoint(TRUNCATE);")
        }
    }

    /// Reads through a memory map and an 8 MiB page cache per connection: polls touch hosts all over the file, and
    /// a `pread` per page miss showed up as a large share of a poll's cost at 100,000 hosts.
    private static let readTuning = "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -8192;"

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        if !inMemory, let reader = try takeReader() {
            defer { returnReader(reader) }
            if let rows = try reader.query(sql, binds, onlyIfReadOnly: true) { return rows }
        }
        return try await writeLock.withLock { try writer.query(sql, binds) ?? [] }
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try await writeLock.withLock { try writer.query(sql, binds) }
    }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            try writer.executeScript("BEGIN IMMEDIATE")
            do {
                let result = try await body(SQLiteTransaction(connection: writer))
                try writer.executeScript("COMMIT")
                return result
            } catch {
                try? writer.executeScript("ROLLBACK")
                throw error
            }
        }
    }

    public func run() async throws {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        await close()
    }

    public func close() async {
        closed.withLock { $0 = true }
        readers.withLock { $0.removeAll() }
    }

    private func takeReader() throws -> SQLiteConnection? {
        if let reader = readers.withLock({ $0.popLast() }) { return reader }
        if closed.withLock({ $0 }) { return nil }
        let reader = try SQLiteConnection(path: path)
        try reader.executeScript("PRAGMA query_only = 1; PRAGMA foreign_keys = ON; \(Self.readTuning)")
        return reader
    }

    private func returnReader(_ reader: SQLiteConnection) {
        readers.withLock { pool in
            if pool.count < 16 { pool.append(reader) }
        }
    }
}

/// The writer connection inside an open transaction (the lock is already held).
struct SQLiteTransaction: SQLExecutor {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try connection.query(sql, binds) ?? []
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try connection.query(sql, binds)
    }
}
