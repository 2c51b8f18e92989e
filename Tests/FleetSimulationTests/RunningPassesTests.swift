import Synchronization
import Testing

@testable import FleetSimulation

@Suite("Running passes: many at once, each start and finish O(1)")
struct RunningPassesTests {
    @Test("finished passes leave the table; cancelAndWait cancels the rest and waits for them")
    func startFinishCancel() async throws {
        let passes = RunningPasses()
        let finished = Atomic(0)
        let cancelledSeen = Atomic(0)
        // 20,000 passes that run until cancelled, and 100 that end on their own.
        for _ in 0..<20_000 {
            passes.start {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                cancelledSeen.add(1, ordering: .relaxed)
            }
        }
        for _ in 0..<100 {
            passes.start { finished.add(1, ordering: .relaxed) }
        }
        for _ in 0..<1000 where passes.count != 20_000 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(passes.count == 20_000)
        #expect(finished.load(ordering: .relaxed) == 100)
        await passes.cancelAndWait()
        #expect(passes.count == 0)
        #expect(cancelledSeen.load(ordering: .relaxed) == 20_000)
        // Waiting with nothing running returns at once.
        await passes.cancelAndWait()
    }
}
