import Synchronization

/// Joins the writes of concurrent polls into shared transactions, so that a fleet reporting at once (a window
/// opening on a region) pays one commit and one hand-over of the writer per batch instead of one per poll.
///
/// There is no timer: a write arriving while fewer than `lanes` batches run leads a batch at once (an idle store
/// adds no latency); writes arriving meanwhile queue, and each leader, when its batch ends, hands the lead to the
/// first of them, which takes the queue (up to `maximumBatch`) into the next batch. SQLite has one lane (one
/// writer); PostgreSQL several.
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

    private enum Outcome: Sendable {
        case done((any Error)?)
        case lead
    }

    /// Set when the waiting caller is cancelled.
    private final class Flag: Sendable {
        let raised = Atomic(false)
    }

    private struct Waiter: Sendable {
        let item: Item
        let cancelled: Flag
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        var leaders = 0
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
    /// Batches that may run at once.
    let lanes: Int
    /// Most writes waiting; past this a write is refused.
    let maximumQueued: Int
    private let state = Mutex(State())

    init(lanes: Int, maximumBatch: Int = 128, maximumQueued: Int = 20_000) {
        self.lanes = max(1, lanes)
        self.maximumBatch = max(1, maximumBatch)
        self.maximumQueued = max(1, maximumQueued)
    }

    /// Writes waiting for a batch now.
    var queued: Int { state.withLock { $0.count } }

    /// Writes `item` in a batch: `write` gets the items of one batch and returns one error (or nil) per item, in
    /// order. Throws the item's error, or a ``Refusal``.
    func submit(_ item: Item, write: @Sendable ([Item]) async -> [(any Error)?]) async throws {
        let flag = Flag()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let lead = state.withLock { state -> Bool? in
                    if state.leaders < lanes {
                        state.leaders += 1
                        return true
                    }
                    if state.count >= maximumQueued { return nil }
                    state.queue.append(Waiter(item: item, cancelled: flag, continuation: continuation))
                    return false
                }
                switch lead {
                case true?: continuation.resume(returning: .lead)
                case nil:
                    continuation.resume(returning: .done(Refusal.overloaded))
                case false?: break
                }
            }
        } onCancel: {
            flag.raised.store(true, ordering: .relaxed)
        }
        if case .done(let error) = outcome {
            if let error { throw error }
            return
        }
        // Leading: this caller's item first, then whoever queued (skipping the cancelled), then hand over.
        let waiters = state.withLock { $0.take(maximumBatch - 1) }
        var live: [Waiter] = []
        for waiter in waiters {
            if waiter.cancelled.raised.load(ordering: .relaxed) {
                waiter.continuation.resume(returning: .done(Refusal.cancelled))
            } else {
                live.append(waiter)
            }
        }
        let errors = await write([item] + live.map(\.item))
        for (index, waiter) in live.enumerated() {
            waiter.continuation.resume(returning: .done(index + 1 < errors.count ? errors[index + 1] : nil))
        }
        // The lead goes to the first waiter still wanted; those cancelled meanwhile are told so on the way.
        while let next = state.withLock({ state -> Waiter? in
            if let next = state.take(1).first { return next }
            state.leaders -= 1
            return nil
        }) {
            if next.cancelled.raised.load(ordering: .relaxed) {
                next.continuation.resume(returning: .done(Refusal.cancelled))
                continue
            }
            next.continuation.resume(returning: .lead)
            break
        }
        if let mine = errors.first, let mine { throw mine }
    }
}
