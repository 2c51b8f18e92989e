import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The scale-out store: PostgreSQL through a PostgresNIO connection pool, shared by several orchestrator replicas.
public final class PostgresDatabase: SQLDatabase {
    /// PostgreSQL's dialect.
    public var dialect: SQLDialect { .postgres }

    let client: PostgresClient
    private let logger: Logger
    /// Concurrent polls' host lookups, joined into one statement per project.
    private let lookups = HostLookupCoalescer()
    /// Whether `run()` has begun, and the queries waiting for it (the pool serves nothing before it runs).
    private let started = Mutex<(running: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=disable|prefer|require`).
    public init(url: String, logger: Logger, maximumConnections: Int = 20) throws {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw SQLDriverError(kind: .connection, message: "database URL must look like postgres://user@host:port/db")
        }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(TLSConfiguration.makeClientConfiguration())
        case "require", "verify-full": tls = .require(TLSConfiguration.makeClientConfiguration())
        default:
            throw SQLDriverError(
                kind: .connection,
                message: "sslmode must be disable, prefer or require, got \(sslMode)"
            )
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        await untilRunning()
        do {
            if sql == Tables.hostAndInstanceSQL, binds.count == 3, case .text(let tenant) = binds[1],
                case .text(let uuid) = binds[2]
            {
                return try await lookups.lookup(tenant: tenant, uuid: uuid, uuidColumn: "h_uuid") { tenant, uuids in
                    try await PostgresDatabase.collect(
                        try await self.client.execute(
                            HostAndInstanceBatch(tenant: tenant, uuids: uuids),
                            logger: self.logger
                        )
                    )
                }
            }
            if let prepared = PostgresHotStatements.byText[sql] {
                return try await prepared.run(on: client, binds: binds, logger: logger)
            }
            let rows = try await client.query(try Self.makeQuery(sql, binds), logger: logger)
            return try await Self.collect(rows)
        } catch let error as PSQLError {
            throw Self.translate(error)
        }
    }

    public func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try await query(sql, binds)
    }

    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        await untilRunning()
        do {
            return try await client.withConnection { connection in
                let executor = PostgresTransaction(connection: connection, logger: logger)
                try await executor.execute("BEGIN", [])
                do {
                    let result = try await body(executor)
                    try await executor.execute("COMMIT", [])
                    return result
                } catch {
                    try? await executor.execute("ROLLBACK", [])
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw Self.translate(error)
        }
    }

    public func run() async throws {
        let waiting = started.withLock { state in
            state.running = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiting { waiter.resume() }
        await client.run()
    }

    /// Returns once `run()` has begun, so no query reaches the pool before it runs.
    private func untilRunning() async {
        if started.withLock({ $0.running }) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = started.withLock { state -> Bool in
                if state.running { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
        await Task.yield()
    }

    public func close() async {}

    /// Turns `?` placeholders into `$1, $2, …` and binds the values with their own types.
    static func makeQuery(_ sql: String, _ binds: [SQLValue]) throws -> PostgresQuery {
        PostgresQuery(unsafeSQL: numbered(sql), binds: bindings(binds))
    }

    /// `sql` with its `?` placeholders numbered `$1, $2, …`.
    static func numbered(_ sql: String) -> String {
        var text = ""
        text.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        for character in sql {
            if character == "?" {
                number += 1
                text += "$\(number)"
            } else {
                text.append(character)
            }
        }
        return text
    }

    /// The values bound with their own types.
    static func bindings(_ binds: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let string): bindings.append(string)
            }
        }
        return bindings
    }

    /// Reads every row of a result into driver-neutral rows.
    static func collect<Rows: AsyncSequence>(_ sequence: Rows) async throws -> [SQLRow]
    where Rows.Element == PostgresRow {
        var rows: [SQLRow] = []
        var columns: SQLColumns?
        for try await row in sequence {
            var values: [SQLValue] = []
            var names: [String] = []
            for cell in row {
                if columns == nil { names.append(cell.columnName) }
                values.append(try value(of: cell))
            }
            if columns == nil { columns = SQLColumns(names) }
            rows.append(SQLRow(columns: columns!, values: values))
        }
        return rows
    }

    private static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric: return .real(Double(try cell.decode(String.self)) ?? 0)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// Maps PostgreSQL's SQLSTATE codes onto the driver-neutral error kinds.
    static func translate(_ error: PSQLError) -> SQLDriverError {
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? String(reflecting: error.code)
        switch state {
        case "23505": return SQLDriverError(kind: .uniqueViolation, message: message)
        case "23503": return SQLDriverError(kind: .foreignKeyViolation, message: message)
        case "23514", "23502": return SQLDriverError(kind: .checkViolation, message: message)
        case "40001", "40P01", "55P03": return SQLDriverError(kind: .busy, message: message)
        case "": return SQLDriverError(kind: .connection, message: message)
        default: return SQLDriverError(kind: .other, message: "\(state): \(message)")
        }
    }
}

/// One leased PostgreSQL connection inside an open transaction.
struct PostgresTransaction: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            let rows = try await connection.query(try PostgresDatabase.makeQuery(sql, binds), logger: logger)
            return try await PostgresDatabase.collect(rows)
        } catch let error as PSQLError {
            throw PostgresDatabase.translate(error)
        }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try await query(sql, binds)
    }
}

/// The statements every agent poll runs, prepared once per pooled connection instead of parsed and planned on every
/// call. PostgresNIO names a prepared statement by its type, so each one is a type; the store sends the same text
/// (the key here), so nothing else has to know.
enum PostgresHotStatements {
    /// The prepared statement for each hot SQL text (written with `?` placeholders, as the store sends it).
    static let byText: [String: any PostgresHotStatement.Type] = [
        Tables.hostAndInstanceSQL: HostAndInstance.self
    ]

    /// The poll's first lookup: the host by UUID, its instance and the configuration generation.
    enum HostAndInstance: PostgresHotStatement {
        static let text = PostgresDatabase.numbered(Tables.hostAndInstanceSQL)
    }
}

/// One SQL text that is worth preparing.
protocol PostgresHotStatement: Sendable {
    /// The text with `$n` placeholders.
    static var text: String { get }
}

extension PostgresHotStatement {
    /// Runs the statement with `binds`, preparing it on the leased connection the first time.
    static func run(on client: PostgresClient, binds: [SQLValue], logger: Logger) async throws -> [SQLRow] {
        try await PostgresDatabase.collect(
            try await client.execute(PreparedHotStatement<Self>(binds: binds), logger: logger)
        )
    }
}

/// PostgresNIO's view of a hot statement.
struct PreparedHotStatement<Statement: PostgresHotStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { "day2_\(Statement.self)" }
    static var sql: String { Statement.text }
    let binds: [SQLValue]

    func makeBindings() throws -> PostgresBindings { PostgresDatabase.bindings(binds) }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The poll's first lookup for a batch of hosts of one project (see ``HostLookupCoalescer``), prepared once per
/// pooled connection.
struct HostAndInstanceBatch: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static let name = "day2_host_and_instance_batch"
    static let sql = PostgresDatabase.numbered(Tables.hostAndInstanceBatchSQL)
    let tenant: String
    let uuids: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(tenant)
        bindings.append(tenant)
        bindings.append(uuids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
