import Foundation
import Inventory
import Logging

/// Opens the store a benchmark asks for (a fresh SQLite file by default) and runs the benchmark on it.
public enum StoreBenchmarkRunner {
    /// Runs `benchmark` on `database` (`sqlite`, `sqlite:/path`, or a `postgres://` URL), printing to stdout.
    public static func run(_ benchmark: StoreBenchmark, database: String, logger: Logger) async throws {
        let report: @Sendable (String) -> Void = { print($0) }
        if database.hasPrefix("postgres") {
            let postgres = try PostgresDatabase(url: database, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgres.run() }
                let store = try await SQLInventoryStore.postgres(database: postgres, logger: logger)
                try await benchmark.run(store: store, label: "PostgreSQL", report: report)
                group.cancelAll()
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
            try await benchmark.run(store: store, label: "SQLite (\(path))", report: report)
        }
    }
}
