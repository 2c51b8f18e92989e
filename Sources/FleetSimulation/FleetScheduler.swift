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

    /// Runs `pass` for every node as it falls due, each in its own task, until cancelled; then cancels the passes
    /// that are running and waits for them.
    ///
    /// The passes are unstructured tasks kept in a table, not children of a task group: a group keeps its children
    /// in a list that every finishing child walks, which with tens of thousands of passes running at once (nodes
    /// waiting for their downloads) took a third of the simulator's CPU.
    func run(_ pass: @escaping @Sendable (Int) async -> Void) async {
        let running = RunningPasses()
        while !Task.isCancelled {
            let due = queue.withLock { $0.popDue(Self.now()) }
            for index in due {
                running.start { await pass(index) }
            }
            do {
                try await Task.sleep(for: resolution)
            } catch {
                break
            }
        }
        await running.cancelAndWait()
    }
}

/// The passes running now, by a serial number: starting and finishing one costs O(1) however many run.
final class RunningPasses: Sendable {
    private struct State {
        var next = 0
        var tasks: [Int: Task<Void, Never>] = [:]
        var emptied: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// How many passes run now.
    var count: Int { state.withLock { $0.tasks.count } }

    /// Starts `body` in a new task.
    func start(_ body: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            let id = state.next
            state.next += 1
            // Inserted before the task can finish: its `finish` waits for this lock.
            state.tasks[id] = Task {
                await body()
                self.finish(id)
            }
        }
    }

    private func finish(_ id: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.tasks[id] = nil
            guard state.tasks.isEmpty else { return [] }
            defer { state.emptied.removeAll() }
            return state.emptied
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Cancels every running pass and returns once all have finished.
    func cancelAndWait() async {
        let tasks = state.withLock { Array($0.tasks.values) }
        for task in tasks { task.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let empty = state.withLock { state -> Bool in
                if state.tasks.isEmpty { return true }
                state.emptied.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
