import Foundation
import Synchronization

/// Wakes simulated nodes when their next pass is due: one task sleeps for the whole fleet and starts a short-lived
/// task per due pass. A node that is waiting for its next poll (almost all of them, almost all the time) therefore
/// holds no task at all: a Swift task keeps the memory its deepest call chain needed until it ends (a poll over
/// gRPC needs tens of KiB), so a long-lived task per node would cost that much per node for nothing.
final class FleetScheduler: Sendable {
    private let queue = Mutex(DueQueue())
    /// How often the scheduler looks for due passes (the granularity of every wait).
    let resolution: Duration = .milliseconds(20)

    /// The monotonic time the scheduler counts in (seconds).
    static func now() -> Double { (ContinuousClock.now - start).seconds }
    private static let start = ContinuousClock.now

    /// Schedules a pass of node `index` in `seconds`.
    func schedule(_ index: Int, in seconds: Double) {
        let due = Self.now() + max(0, seconds)
        queue.withLock { $0.insert(index, due: due) }
    }

    /// Passes scheduled and not started yet.
    var waiting: Int { queue.withLock { $0.count } }

    /// Runs `pass` for every node as it falls due, each in its own child task, until cancelled; then waits for the
    /// passes that are running (they see the cancellation).
    func run(_ pass: @escaping @Sendable (Int) async -> Void) async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let due = queue.withLock { $0.popDue(Self.now()) }
                for index in due {
                    group.addTask { await pass(index) }
                }
                do {
                    try await Task.sleep(for: resolution)
                } catch {
                    break
                }
            }
            group.cancelAll()
        }
    }
}
