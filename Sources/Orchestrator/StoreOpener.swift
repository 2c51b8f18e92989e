import Foundation
import Inventory
import Logging

/// Opens the store a configuration names (SQLite file or PostgreSQL), runs `body`, and closes it again.
enum StoreOpener {
    /// Creates `folder` (and its parents) readable by the owner only, if it does not exist yet.
    static func makePrivateFolder(_ folder: String) throws {
        guard !folder.isEmpty else { return }
        try FileManager.default.createDirectory(
            atPath: folder,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
    }

    static func withStore<T: Sendable>(
        configuration: OrchestratorConfiguration,
        logger: Logger,
        _ body: @Sendable (any InventoryStore) async throws -> T
    ) async throws -> T {
        if let path = configuration.sqlitePath {
            try makePrivateFolder((path as NSString).deletingLastPathComponent)
            let database = try SQLiteDatabase(path: path)
            let store = try await SQLInventoryStore.open(database: database, logger: logger)
            let result = try await body(store)
            await database.close()
            return result
        }
        let database = try PostgresDatabase(url: configuration.database, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            let store = try await SQLInventoryStore.open(database: database, logger: logger)
            return try await body(store)
        }
    }
}
