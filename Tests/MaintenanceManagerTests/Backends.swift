import Day2Testing
import Foundation

/// The back ends the handler tests run on (PostgreSQL unless `DAY2_SKIP_POSTGRES=1`).
let backends: [StoreBackend] = {
    ProcessInfo.processInfo.environment["DAY2_SKIP_POSTGRES"] == "1"
        ? [.sqliteFile, .sqliteMemory] : StoreBackend.allCases
}()
