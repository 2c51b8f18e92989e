import Foundation
import Inventory
import Logging

/// The Inventory back ends every conformance test runs against.
public enum StoreBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A SQLite file in WAL mode (the embedded default).
    case sqliteFile
    /// A private in-memory SQLite database (the in-memory twin).
    case sqliteMemory
    /// A fresh database on the PostgreSQL server named by `DAY2_TEST_POSTGRES_URL`.
    case postgres

    public var description: String { rawValue }

    /// The PostgreSQL server URL the test scripts started (`scripts/test.sh` sets it), if any.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["DAY2_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with a freshly migrated, empty store of this kind, and tears it down afterwards.
    public func withStore(
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (any InventoryStore) async throws -> Void
    ) async throws {
        var logger = Logger(label: "day2.test")
        logger.logLevel = .warning
        switch self {
        case .sqliteMemory:
            let store = try await SQLInventoryStore.sqlite(path: nil, logger: logger, now: now)
            try await body(store)
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("day2-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let store = try await SQLInventoryStore.sqlite(
                path: folder.appendingPathComponent("day2.sqlite").path,
                logger: logger,
                now: now
            )
            try await body(store)
        case .postgres:
            let url = try await Self.freshPostgresDatabase(logger: logger)
            let database = try PostgresDatabase(url: url, logger: logger, maximumConnections: 4)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await database.run() }
                defer { group.cancelAll() }
                let store = try await SQLInventoryStore.postgres(database: database, logger: logger, now: now)
                try await body(store)
            }
        }
    }

    /// Runs `body` with two stores opened separately on one fresh database, as two processes or two replicas would
    /// see it. A private in-memory database cannot be shared, so `.sqliteMemory` throws.
    public func withStorePair(
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (any InventoryStore, any InventoryStore) async throws -> Void
    ) async throws {
        var logger = Logger(label: "day2.test")
        logger.logLevel = .warning
        switch self {
        case .sqliteMemory:
            throw StoreBackendError("an in-memory SQLite database cannot be opened twice")
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("day2-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("day2.sqlite").path
            let first = try await SQLInventoryStore.sqlite(path: path, logger: logger, now: now)
            let second = try await SQLInventoryStore.sqlite(path: path, logger: logger, now: now)
            try await body(first, second)
        case .postgres:
            let url = try await Self.freshPostgresDatabase(logger: logger)
            let one = try PostgresDatabase(url: url, logger: logger, maximumConnections: 2)
            let two = try PostgresDatabase(url: url, logger: logger, maximumConnections: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await one.run() }
                group.addTask { try await two.run() }
                defer { group.cancelAll() }
                let first = try await SQLInventoryStore.postgres(database: one, logger: logger, now: now)
                let second = try await SQLInventoryStore.postgres(database: two, logger: logger, now: now)
                try await body(first, second)
            }
        }
    }

    /// Creates an empty database on the test server and returns its URL.
    public static func freshPostgresDatabase(logger: Logger) async throws -> String {
        guard let base = postgresURL else {
            throw StoreBackendError(
                "DAY2_TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL"
            )
        }
        let name = "day2_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        var quiet = logger
        quiet.logLevel = .error
        let admin = try PostgresDatabase(url: base, logger: quiet, maximumConnections: 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await admin.run() }
            defer { group.cancelAll() }
            // The name is generated here from hex digits only, so splicing it into the DDL is safe.
            try await admin.execute("CREATE DATABASE \(name)", [])
        }
        guard var components = URLComponents(string: base) else { throw StoreBackendError("bad URL \(base)") }
        components.path = "/" + name
        return components.string!
    }
}

/// A test back end that cannot be set up.
public struct StoreBackendError: Error, CustomStringConvertible {
    /// What is missing.
    public var description: String

    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
