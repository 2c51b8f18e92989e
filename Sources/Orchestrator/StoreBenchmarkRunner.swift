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
        var configuration = OrchestratorConfiguration()
        let label: String
        var temporary: String?
        if database.hasPrefix("postgres") {
            configuration.database = database
            label = "PostgreSQL"
        } else {
            let path =
                database.hasPrefix("sqlite:")
                ? String(database.dropFirst("sqlite:".count))
                : NSTemporaryDirectory() + "day2-bench-\(UUID().uuidString).sqlite"
            if database == "sqlite" { temporary = path }
            configuration.database = "sqlite:" + path
            label = "SQLite (\(path))"
        }
        defer {
            for suffix in ["", "-wal", "-shm"] {
                if let temporary { try? FileManager.default.removeItem(atPath: temporary + suffix) }
            }
        }
        try await StoreOpener.withStore(configuration: configuration, logger: logger) { store in
            try await body(store, label)
        }
    }
}
