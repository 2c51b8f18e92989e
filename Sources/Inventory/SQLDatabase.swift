/// The SQL features that differ between SQLite and PostgreSQL; everything else is written once.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The case-insensitive LIKE operator.
    var caseInsensitiveLike: String {
        switch self {
        case .sqlite: "LIKE"
        case .postgres: "ILIKE"
        }
    }

    /// `OFFSET ?` without a `LIMIT`: SQLite needs `LIMIT -1` before an `OFFSET`, PostgreSQL does not accept it.
    var offsetWithoutLimit: String {
        switch self {
        case .sqlite: "LIMIT -1 OFFSET ?"
        case .postgres: "OFFSET ?"
        }
    }

    /// An `ORDER BY` term that sorts the (few) rows a condition selected instead of walking an index in `column`
    /// order: given `ORDER BY resource_id`, SQLite prefers the `(tenant_id, resource_id)` index and then tests every
    /// row of the project against the condition, even when another index finds the rows directly. SQLite's unary
    /// `+` takes the column out of index consideration; PostgreSQL's planner needs no hint.
    func sortOnly(_ column: String) -> String {
        switch self {
        case .sqlite: "+\(column)"
        case .postgres: column
        }
    }
}

/// Something that runs SQL: a database (each call in its own implicit transaction) or an open transaction.
///
/// Statements are written with `?` placeholders; values are always bound, never spliced into the text.
public protocol SQLExecutor: Sendable {
    /// Which SQL dialect this executor speaks.
    var dialect: SQLDialect { get }
    /// Runs a statement and returns every row it produced.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs a statement whose rows are not needed.
    func execute(_ sql: String, _ binds: [SQLValue]) async throws
}

/// A database that can also run a group of statements atomically.
public protocol SQLDatabase: SQLExecutor {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func withTransaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Keeps background work (connection pools) running until cancelled; returns when the database is closed.
    func run() async throws
    /// Releases connections (for tests and short-lived tools; `run()` does it on shutdown).
    func close() async
}

/// A failure reported by a SQL driver, with the constraint kind when a constraint refused a write.
public struct SQLDriverError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        case uniqueViolation
        case foreignKeyViolation
        case checkViolation
        case busy
        case connection
        case other
    }

    /// The kind of failure.
    public var kind: Kind
    /// The driver's own message.
    public var message: String

    /// Creates a driver error.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The driver's message with its kind.
    public var description: String { "\(kind): \(message)" }
}
