import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

/// The back ends a conformance test runs on. PostgreSQL is always included: without a server the test fails
/// (the test scripts start one), unless `DAY2_SKIP_POSTGRES=1` is set for a quick local run.
let backends: [StoreBackend] = {
    let skip = ProcessInfo.processInfo.environment["DAY2_SKIP_POSTGRES"] == "1"
    return skip ? [.sqliteFile, .sqliteMemory] : StoreBackend.allCases
}()

/// Expects `body` to throw an `InventoryError` with `code` (and, when given, naming `field`).
func expectInventoryError(
    _ code: InventoryError.Code,
    field: String? = nil,
    messageContains: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(code) but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as InventoryError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        if let field { #expect(error.field == field, "got \(error)", sourceLocation: sourceLocation) }
        if let messageContains {
            #expect(error.message.contains(messageContains), "got \(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected InventoryError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
