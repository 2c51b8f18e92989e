import Synchronization

/// Joins the writes of concurrent polls into shared transactions, so that a fleet reporting at once (a window
/// opening on a region) pays one commit per batch instead of one per poll.
///
/// There is no timer: a write arriving while fewer than `lanes` writers run starts one (an idle store adds no
/// latency). A writer is one task that takes the queue (up to `maximumBatch` at a time) into a transaction, answers
/// every caller of the batch, and goes on with what queued meanwhile until the queue is empty. Keeping one task
/// writing, rather than handing the work from caller to caller, matters under load: a hand-over waits its turn
/// behind every other runnable task of the process, and with thousands of polls runnable the writes fell behind
/// until the queue filled. SQLite has one lane (one writer); PostgreSQL several.
///
/// Overload: at most `maximumQueued` writes wait; past that a write is refused at once (``Refusal/overloaded``)
/// rather than queued behind minutes of work, and a write whose caller was cancelled while it waited (the agent's
/// deadline passed) is dropped instead of written.
final class WriteBatcher<Item: Sendable>: Sendable {
    /// Why a write was not attempted.
    enum Refusal: Error, Equatable {
        /// Too many writes are waiting.
        case overloaded
        /// The caller was cancelled while it waited.
        case cancelled
    }

    /// Set when the waiting caller is cancelled.
    private final class Flag: Sendable {
        let raised = Atomic(false)
    }

    private struct Waiter: Sendable {
        let item: Item
        let cancelled: Flag
        let continuation: CheckedContinuation<(any Error)?, Never>
    }

    private struct State {
        var writers = 0
        var queue: [Waiter] = []
        var head = 0
        var count: Int { queue.count - head }

        mutating func take(_ limit: Int) -> [Waiter] {
            let end = min(queue.count, head + limit)
            let taken = Array(queue[head..<end])
            head = end
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 4096 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return taken
        }
    }

    /// Most writes in one transaction.
    let maximumBatch: Int
    /// Writers that may run at once.
    let lanes: Int
    /// Most writes waiting; past this a write is refused.
    let maximumQueued: Int
    /// Writes one batch: one error (or nil) per item, in order.
    private let write: @Sendable ([Item]) async -> [(any Error)?]
    private let state = Mutex(State())

    /// A batcher whose writers hand each batch to `write`, which returns one error (or nil) per item, in order.
    init(
        lanes: Int,
        maximumBatch: Int = 128,
        maximumQueued: Int = 8_000,
        write: @escaping @Sendable ([Item]) async -> [(any Error)?]
    ) {
        self.lanes = max(1, lanes)
        self.maximumBatch = max(1, maximumBatch)
        self.maximumQueued = max(1, maximumQueued)
        self.write = write
    }

    /// Writes waiting for a batch now.
    var queued: Int { state.withLock { $0.count } }

    /// Writes `item` in a batch. Throws the item's error, or a ``Refusal``.
    func submit(_ item: Item) async throws {
        let flag = Flag()
        let error = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<(any Error)?, Never>) in
                let start = state.withLock { state -> Bool? in
                    if state.count >= maximumQueued { return nil }
                    state.queue.append(Waiter(item: item, cancelled: flag, continuation: continuation))
                    guard state.writers < lanes else { return false }
                    state.writers += 1
                    return true
                }
                switch start {
                case nil: continuation.resume(returning: Refusal.overloaded)
                case true?: Task(priority: .high) { await self.drain() }
                case false?: break
                }
            }
        } onCancel: {
            flag.raised.store(true, ordering: .relaxed)
        }
        if let error { throw error }
    }

    /// One writer: batches until the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiter]? in
                let taken = state.take(maximumBatch)
                if taken.isEmpty { state.writers -= 1 }
                return taken.isEmpty ? nil : taken
            }
            guard let batch else { return }
            var live: [Waiter] = []
            for waiter in batch {
                if waiter.cancelled.raised.load(ordering: .relaxed) {
                    waiter.continuation.resume(returning: Refusal.cancelled)
                } else {
                    live.append(waiter)
                }
            }
            guard !live.isEmpty else { continue }
            let errors = await write(live.map(\.item))
            for (index, waiter) in live.enumerated() {
                waiter.continuation.resume(returning: index < errors.count ? errors[index] : nil)
            }
        }
    }
}
