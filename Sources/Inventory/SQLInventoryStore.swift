import Day2Model
import Foundation
import Logging

/// The Inventory on SQL: one implementation that serves a SQLite file and PostgreSQL alike.
///
/// Every statement carries `tenant_id = ?`; every reference is a tenant-scoped foreign key; every multi-statement
/// write runs in one transaction. A value of this type is either the store itself or a view inside a transaction.
public struct SQLInventoryStore<Database: SQLDatabase>: InventoryStore {
    /// The database underneath.
    public let database: Database
    let executor: any SQLExecutor
    let inTransaction: Bool
    let now: @Sendable () -> Date

    private init(
        database: Database,
        executor: any SQLExecutor,
        inTransaction: Bool,
        now: @escaping @Sendable () -> Date
    ) {
        self.database = database
        self.executor = executor
        self.inTransaction = inTransaction
        self.now = now
    }

    /// Opens the store on `database`, applying every migration it has not seen yet.
    public static func open(
        database: Database,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> SQLInventoryStore {
        let store = SQLInventoryStore(database: database, executor: database, inTransaction: false, now: now)
        try await store.migrate(logger: logger)
        return store
    }

    // MARK: Migrations

    private func migrate(logger: Logger) async throws {
        try await execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            []
        )
        for migration in Migrations.all {
            let applied = try await atomically { store -> Bool in
                if store.executor.dialect == .postgres {
                    // Replicas starting together: one migrates, the others wait here and then see it applied.
                    try await store.execute("SELECT pg_advisory_xact_lock(727274)", [])
                }
                let done = try await store.query(
                    "SELECT version FROM schema_migrations WHERE version = ?",
                    [.integer(Int64(migration.version))]
                )
                guard done.isEmpty else { return false }
                for statement in migration.statements(for: store.executor.dialect) {
                    try await store.execute(statement, [])
                }
                try await store.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name), .integer(store.nowMilliseconds)]
                )
                return true
            }
            if applied {
                logger.info(
                    "schema migration applied",
                    metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"]
                )
            }
        }
    }

    /// The highest schema version applied.
    public func schemaVersion() async throws -> Int {
        let rows = try await query("SELECT MAX(version) AS version FROM schema_migrations", [])
        return Int(rows.first?.int("version") ?? 0)
    }

    /// A trivial round trip (`SELECT 1`), the baseline of the store benchmark.
    public func ping() async throws {
        _ = try await query("SELECT 1 AS one", [])
    }

    // MARK: Transactions

    public var concurrentWriters: Int { executor.dialect == .sqlite ? 1 : 8 }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any InventoryStore) async throws -> T) async throws -> T
    {
        try await atomically { try await body($0) }
    }

    /// Runs `body` in a transaction, or directly when this view already is one.
    func atomically<T: Sendable>(_ body: @Sendable (SQLInventoryStore) async throws -> T) async throws -> T {
        if inTransaction { return try await body(self) }
        let database = self.database
        let now = self.now
        do {
            return try await database.withTransaction { executor in
                try await body(SQLInventoryStore(database: database, executor: executor, inTransaction: true, now: now))
            }
        } catch let error as SQLDriverError {
            throw Self.translate(error)
        }
    }

    // MARK: SQL with error translation

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            return try await executor.query(sql, binds)
        } catch let error as SQLDriverError {
            throw Self.translate(error)
        }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        do {
            try await executor.execute(sql, binds)
        } catch let error as SQLDriverError {
            throw Self.translate(error)
        }
    }

    static func translate(_ error: SQLDriverError) -> InventoryError {
        switch error.kind {
        case .uniqueViolation:
            InventoryError(
                .failedPrecondition,
                "a resource with the same unique fields already exists",
                underlying: error
            )
        case .foreignKeyViolation:
            InventoryError(
                .failedPrecondition,
                "a referenced resource does not exist or is still referenced",
                underlying: error
            )
        case .checkViolation:
            InventoryError(.invalidArgument, "a value breaks a rule of the schema", underlying: error)
        case .busy, .connection:
            InventoryError(.unavailable, "the database is unavailable, try again", underlying: error)
        case .other:
            InventoryError(.internal, "the database refused the request", underlying: error)
        }
    }

    var nowMilliseconds: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }
    var nowSeconds: Int64 { Int64(now().timeIntervalSince1970.rounded(.down)) }

    // MARK: Generic resource operations

    /// Validates that `id` is an ID of the table's kind (400 for a wrong or unknown prefix).
    func checkID<R>(_ id: String, _ table: ResourceTable<R>, field: String = "resourceId") throws {
        do { try ResourceID.validate(id, kind: table.kind, field: field) } catch { throw InventoryError.invalid(error) }
    }

    private func scopeClause<R>(_ table: ResourceTable<R>, alias: String? = nil) -> (String, [SQLValue]) {
        guard let scope = table.scope else { return ("", []) }
        let column = alias.map { "\($0).\(scope.column)" } ?? scope.column
        return (" AND \(column) = ?", [.text(scope.value)])
    }

    /// A fresh ID of the table's kind that no row has yet.
    private func freshID<R>(_ table: ResourceTable<R>) async throws -> String {
        for _ in 0..<8 {
            let id = ResourceID.make(table.kind)
            let taken = try await query("SELECT 1 AS taken FROM \(table.name) WHERE resource_id = ?", [.text(id)])
            if taken.isEmpty { return id }
        }
        throw InventoryError(.internal, "could not find a free \(table.kind.prefix) ID")
    }

    /// Inserts `value` with a fresh ID and timestamps.
    func insert<R>(_ table: ResourceTable<R>, tenant: String, _ value: R) async throws -> R {
        var value = value
        value.resourceId = try await freshID(table)
        let stamp = nowMilliseconds
        value.timestamps = Timestamps(createdAt: stamp, updatedAt: stamp)
        let columns = ["resource_id", "tenant_id", "created_at", "updated_at"] + table.columns
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try await execute(
            "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
            [.text(value.resourceId), .text(tenant), .integer(stamp), .integer(stamp)] + table.encode(value)
        )
        return value
    }

    /// The row `id`, or 404.
    func fetch<R>(_ table: ResourceTable<R>, tenant: String, id: String) async throws -> R {
        try checkID(id, table)
        guard let found = try await fetchOptional(table, tenant: tenant, id: id) else {
            throw InventoryError.notFound(table.label, id)
        }
        return found
    }

    /// The row `id`, or nil.
    func fetchOptional<R>(_ table: ResourceTable<R>, tenant: String, id: String) async throws -> R? {
        try await fetchWhere(table, tenant: tenant, "resource_id = ?", [.text(id)]).first
    }

    /// Rows matching `condition` (columns unqualified), in ID order.
    func fetchWhere<R>(
        _ table: ResourceTable<R>,
        tenant: String,
        _ condition: String,
        _ binds: [SQLValue]
    )
        async throws -> [R]
    {
        let (scope, scopeBinds) = scopeClause(table)
        let rows = try await query(
            "SELECT \(table.selectList) FROM \(table.name) WHERE tenant_id = ? AND \(condition)\(scope) "
                + "ORDER BY \(executor.dialect.sortOnly("resource_id"))",
            [.text(tenant)] + binds + scopeBinds
        )
        return rows.map(table.decode)
    }

    /// Replaces every data column of row `value.resourceId`; 404 when it does not exist.
    func replace<R>(_ table: ResourceTable<R>, tenant: String, _ value: R) async throws -> R {
        try checkID(value.resourceId, table)
        var value = value
        let stamp = nowMilliseconds
        let assignments = (table.columns + ["updated_at"]).map { "\($0) = ?" }.joined(separator: ", ")
        let (scope, scopeBinds) = scopeClause(table)
        let rows = try await query(
            "UPDATE \(table.name) SET \(assignments) WHERE tenant_id = ? AND resource_id = ?\(scope) RETURNING created_at",
            table.encode(value) + [.integer(stamp), .text(tenant), .text(value.resourceId)] + scopeBinds
        )
        guard let row = rows.first else { throw InventoryError.notFound(table.label, value.resourceId) }
        value.timestamps = Timestamps(createdAt: row.int("created_at"), updatedAt: stamp)
        return value
    }

    /// Deletes row `id`; 404 when it does not exist.
    func remove<R>(_ table: ResourceTable<R>, tenant: String, id: String) async throws {
        try checkID(id, table)
        let (scope, scopeBinds) = scopeClause(table)
        let rows = try await query(
            "DELETE FROM \(table.name) WHERE tenant_id = ? AND resource_id = ?\(scope) RETURNING resource_id",
            [.text(tenant), .text(id)] + scopeBinds
        )
        guard !rows.isEmpty else { throw InventoryError.notFound(table.label, id) }
    }

    /// How many rows of `table` match a condition.
    func count(_ table: String, tenant: String, _ condition: String, _ binds: [SQLValue]) async throws -> Int {
        let rows = try await query(
            "SELECT COUNT(*) AS n FROM \(table) WHERE tenant_id = ? AND \(condition)",
            [.text(tenant)] + binds
        )
        return Int(rows.first?.int("n") ?? 0)
    }

    /// A filtered, ordered page of `table`, with the total count.
    func list<R>(_ table: ResourceTable<R>, tenant: String, _ query: ListQuery) async throws -> Page<R> {
        var translator = FilterTranslator(dialect: executor.dialect, tenant: tenant)
        let condition: String
        let order: String
        do throws(ValidationError) {
            if let filter = query.filter {
                condition = try translator.condition(filter, table: table.name, alias: "t")
            } else {
                condition = "1 = 1"
            }
            order = try FilterTranslator.orderBy(
                query.orderBy,
                table: table.name,
                alias: "t",
                sortExplicitly: executor.dialect == .sqlite && translator.followsEdges
            )
        } catch {
            throw InventoryError.invalid(error)
        }
        let (scope, scopeBinds) = scopeClause(table, alias: "t")
        let whereClause = "t.tenant_id = ?\(scope) AND \(condition)"
        let binds: [SQLValue] = [.text(tenant)] + scopeBinds + translator.binds
        var sql = "SELECT \(table.selectList.split(separator: ", ").map { "t.\($0)" }.joined(separator: ", "))"
        sql += " FROM \(table.name) AS t WHERE \(whereClause) ORDER BY \(order)"
        var pageBinds = binds
        if let pageSize = query.pageSize {
            sql += " LIMIT ? OFFSET ?"
            pageBinds += [.integer(Int64(pageSize)), .integer(Int64(query.offset))]
        } else if query.offset > 0 {
            sql += " " + executor.dialect.offsetWithoutLimit
            pageBinds += [.integer(Int64(query.offset))]
        }
        let items = try await self.query(sql, pageBinds).map(table.decode)
        let total: Int
        if query.offset == 0 && (query.pageSize == nil || items.count < query.pageSize!) {
            total = items.count
        } else {
            let rows = try await self.query("SELECT COUNT(*) AS n FROM \(table.name) AS t WHERE \(whereClause)", binds)
            total = Int(rows.first?.int("n") ?? 0)
        }
        return Page(items: items, totalElements: total, hasNext: query.offset + items.count < total)
    }

    /// Runs a model validation, turning its error into a 400.
    func validated(_ check: () throws(ValidationError) -> Void) throws {
        do { try check() } catch { throw InventoryError.invalid(error) }
    }

    /// 404 unless row `id` of `table` exists in the tenant (used to check references before writing).
    func requireExists<R>(_ table: ResourceTable<R>, tenant: String, id: String, field: String) async throws {
        try checkID(id, table, field: field)
        let rows = try await query(
            "SELECT 1 AS found FROM \(table.name) WHERE tenant_id = ? AND resource_id = ?",
            [.text(tenant), .text(id)]
        )
        guard !rows.isEmpty else { throw InventoryError.notFound(table.label, id) }
    }
}

extension SQLInventoryStore where Database == SQLiteDatabase {
    /// Opens the embedded store on a SQLite file (`nil` for a private in-memory database).
    public static func sqlite(
        path: String?,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    )
        async throws -> SQLInventoryStore
    {
        try await open(database: try SQLiteDatabase(path: path), logger: logger, now: now)
    }
}

extension SQLInventoryStore where Database == PostgresDatabase {
    /// Opens the store on PostgreSQL; the database's `run()` must be running (it drives the connection pool).
    public static func postgres(
        database: PostgresDatabase,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    )
        async throws -> SQLInventoryStore
    {
        try await open(database: database, logger: logger, now: now)
    }
}
