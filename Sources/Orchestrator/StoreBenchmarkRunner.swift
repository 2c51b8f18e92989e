import Foundation
import Inventory
import Logging

/// Opens the store a benchmark asks for (a fresh SQLite file by default) and runs the benchmark on it.
public enum StoreBenchmarkRunner {
    /// Runs `benchmark` on `database` (`sqlite`, `sqlite:/path`, or a `postgres://` URL), printing to stdout.
    public static func run(_ benchmark: StoreBenchmark, database: String, logger: Logger) async throws {
        try await withStore(database: database, logger: logger) { store, label in
            try await benchmark.run(store: store, label: label) { print($0) }
        }
    }

    /// Opens the benchmark store (a fresh temporary SQLite file by default, removed afterwards) for `body`.
    public static func withStore(
        database: String,
        logger: Logger,
        _ body: @Sendable (any InventoryStore, String) async throws -> Void
    ) async throws {
        if database.hasPrefix("postgres") {
            let postgres = try PostgresDatabase(url: database, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgres.run() }
                defer { group.cancelAll() }
                let store = try await SQLInventoryStore.postgres(database: postgres, logger: logger)
                try await body(store, "PostgreSQL")
            }
        } else {
            let path: String
            if database.hasPrefix("sqlite:") {
                path = String(database.dropFirst("sqlite:".count))
            } else {
                path = NSTemporaryDirectory() + "day2-bench-\(UUID().uuidString).sqlite"
            }
            defer {
                for suffix in ["", "-wal", "-shm"] where database == "sqlite" {
                    try? FileManager.default.removeItem(atPath: path + suffix)
                }
            }
            let store = try await SQLInventoryStore.sqlite(path: path, logger: logger)
            try await body(store, "SQLite (\(path))")
        }
    }
}
