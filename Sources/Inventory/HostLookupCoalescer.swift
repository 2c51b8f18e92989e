import Synchronization

/// Joins concurrent host lookups of one project into one statement, so that a fleet polling at once costs one round
/// trip per batch instead of one per poll (PostgreSQL).
///
/// There is no timer and no background task: the first caller of an idle project becomes the leader and runs one
/// batch with every lookup queued by then; lookups arriving meanwhile queue, and when the batch ends the leader hands
/// the lead to the first of them, which runs the next batch. An idle project therefore adds no latency, and a busy
/// one gets batches as large as the time one statement takes.
final class HostLookupCoalescer: Sendable {
    /// What a queued caller is told: its rows, its error, or to lead the next batch.
    private enum Outcome: Sendable {
        case rows([SQLRow])
        case failure(any Error)
        case lead
    }

    private struct Waiter: Sendable {
        let uuid: String
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct Project {
        var leading = false
        var queue: [Waiter] = []
    }

    /// The largest batch one statement carries.
    let maximumBatch: Int
    private let projects = Mutex<[String: Project]>([:])

    init(maximumBatch: Int = 256) {
        self.maximumBatch = maximumBatch
    }

    /// The rows for `uuid` in project `tenant`; `run` looks up a batch of UUIDs and returns every row, each with its
    /// UUID in column `uuidColumn`.
    func lookup(
        tenant: String,
        uuid: String,
        uuidColumn: String,
        run: @Sendable (String, [String]) async throws -> [SQLRow]
    ) async throws -> [SQLRow] {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let lead = projects.withLock { projects -> Bool in
                projects[tenant, default: Project()].queue.append(Waiter(uuid: uuid, continuation: continuation))
                if projects[tenant]!.leading { return false }
                projects[tenant]!.leading = true
                return true
            }
            if lead { continuation.resume(returning: .lead) }
        }
        switch outcome {
        case .rows(let rows): return rows
        case .failure(let error): throw error
        case .lead: break
        }
        // Leading: take the queue (this caller's own lookup is in it), run it, answer everyone, hand over.
        let batch = projects.withLock { projects -> [Waiter] in
            let queue = projects[tenant]?.queue ?? []
            let taken = Array(queue.prefix(maximumBatch))
            projects[tenant]?.queue.removeFirst(taken.count)
            return taken
        }
        var mine: Result<[SQLRow], any Error> = .success([])
        do {
            let rows = try await run(tenant, Array(Set(batch.map(\.uuid))))
            var byUUID: [String: [SQLRow]] = [:]
            for row in rows { byUUID[row.string(uuidColumn), default: []].append(row) }
            for (index, waiter) in batch.enumerated() {
                let found = byUUID[waiter.uuid] ?? []
                if index == 0 { mine = .success(found) } else { waiter.continuation.resume(returning: .rows(found)) }
            }
        } catch {
            for (index, waiter) in batch.enumerated() {
                if index == 0 { mine = .failure(error) } else { waiter.continuation.resume(returning: .failure(error)) }
            }
        }
        let next = projects.withLock { projects -> Waiter? in
            // The next leader stays first in the queue: its batch starts with its own lookup.
            guard let first = projects[tenant]?.queue.first else {
                projects[tenant] = nil
                return nil
            }
            return first
        }
        next?.continuation.resume(returning: .lead)
        return try mine.get()
    }
}
