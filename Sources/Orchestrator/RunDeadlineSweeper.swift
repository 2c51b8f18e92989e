import Foundation
import Inventory
import Logging
import MaintenanceManager
import ServiceLifecycle

/// Closes update runs left open past the commit deadline, once a minute, on one replica at a time (a lease).
struct RunDeadlineSweeper<Store: InventoryStore>: Sendable {
    let manager: MaintenanceManager<Store>
    let store: Store
    let holder: String
    let interval: Duration
    let logger: Logger

    /// Sweeps until cancelled; a failed pass is logged and the loop goes on.
    func run() async {
        while !Task.isCancelled {
            do {
                if try await store.acquireLease(name: "run-deadline", holder: holder, seconds: 120) {
                    let closed = try await manager.closeStaleRuns()
                    if closed > 0 { logger.info("closed stale update runs", metadata: ["runs.closed": "\(closed)"]) }
                }
            } catch {
                logger.warning("run deadline sweep failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
