import Day2Model
import Day2Testing
import Foundation
import Inventory
import Logging
import Synchronization
import Testing

@testable import MaintenanceManager

/// A write that waits until the test opens it, recording every batch it was given.
private final class GatedWrites: Sendable {
    let batches = Mutex<[[Int]]>([])
    let running = Atomic(0)
    let mostRunning = Atomic(0)
    private let gate = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiting = gate.withLock { gate in
            gate.open = true
            defer { gate.waiting.removeAll() }
            return gate.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func write(_ batch: [Int]) async -> [(any Error)?] {
        let now = running.wrappingAdd(1, ordering: .relaxed).newValue
        mostRunning.max(now, ordering: .relaxed)
        batches.withLock { $0.append(batch) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = gate.withLock { gate -> Bool in
                if !gate.open { gate.waiting.append(continuation) }
                return gate.open
            }
            if open { continuation.resume() }
        }
        running.wrappingSubtract(1, ordering: .relaxed)
        return batch.map { $0 < 0 ? InventoryError(.invalidArgument, "negative") : nil }
    }
}

/// Waits (up to 10 s) until `condition` holds.
private func eventually(_ condition: () -> Bool) async throws {
    for _ in 0..<1000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    #expect(condition())
}

@Suite("Write batching: concurrent polls share transactions, overload is refused")
struct WriteBatcherTests {
    @Test("writes queued behind a running batch go together into the next one; errors reach their own caller")
    func batching() async throws {
        let writes = GatedWrites()
        let batcher = WriteBatcher<Int>(lanes: 1, maximumBatch: 8, maximumQueued: 100) { await writes.write($0) }
        try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            group.addTask {
                try await batcher.submit(0)
                return (0, true)
            }
            try await eventually { writes.batches.withLock { $0.count } == 1 }
            for item in [1, -2, 3] {
                group.addTask {
                    do {
                        try await batcher.submit(item)
                        return (item, true)
                    } catch {
                        return (item, false)
                    }
                }
            }
            try await eventually { batcher.queued == 3 }
            writes.open()
            var outcomes: [Int: Bool] = [:]
            for try await (item, succeeded) in group { outcomes[item] = succeeded }
            #expect(outcomes == [0: true, 1: true, -2: false, 3: true])
        }
        let batches = writes.batches.withLock { $0 }
        #expect(batches.count == 2)
        #expect(batches.first == [0])
        #expect(batches.last.map { Set($0) } == [1, -2, 3])
        #expect(writes.mostRunning.load(ordering: .relaxed) == 1)
        #expect(batcher.queued == 0)
    }

    @Test("past the queue limit a write is refused at once; a cancelled waiter is dropped, not written")
    func overloadAndCancellation() async throws {
        let writes = GatedWrites()
        let batcher = WriteBatcher<Int>(lanes: 1, maximumBatch: 8, maximumQueued: 2) { await writes.write($0) }
        let leader = Task { try await batcher.submit(0) }
        try await eventually { writes.batches.withLock { $0.count } == 1 }
        let cancelled = Task { try await batcher.submit(1) }
        try await eventually { batcher.queued == 1 }
        let kept = Task { try await batcher.submit(2) }
        try await eventually { batcher.queued == 2 }
        await #expect(throws: WriteBatcher<Int>.Refusal.overloaded) {
            try await batcher.submit(3)
        }
        cancelled.cancel()
        writes.open()
        try await leader.value
        try await kept.value
        await #expect(throws: WriteBatcher<Int>.Refusal.cancelled) { try await cancelled.value }
        let written = writes.batches.withLock { $0.flatMap { $0 } }
        #expect(written.sorted() == [0, 2])
    }

    @Test("several lanes write at once, never more than the lanes")
    func lanes() async throws {
        let writes = GatedWrites()
        let batcher = WriteBatcher<Int>(lanes: 3, maximumBatch: 4, maximumQueued: 1000) { await writes.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 0..<40 {
                group.addTask { try await batcher.submit(item) }
            }
            try await eventually { writes.running.load(ordering: .relaxed) == 3 }
            writes.open()
            try await group.waitForAll()
        }
        #expect(writes.mostRunning.load(ordering: .relaxed) == 3)
        let written = writes.batches.withLock { $0 }
        #expect(written.flatMap { $0 }.sorted() == Array(0..<40))
        #expect(written.allSatisfy { $0.count <= 4 })
    }
}

@Suite("Report writes in batches")
struct ReportBatchTests {
    @Test("one report that cannot be written fails alone; the others of its batch land", arguments: backends)
    func faultyReportFailsAlone(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            try await Self.faultyReportFailsAlone(store: store, clock: clock)
        }
    }

    static func faultyReportFailsAlone(store: some InventoryStore, clock: ManualClock) async throws {
        do {
            let fleet = try await Fixtures.fleet(in: store, hosts: 2)
            func report(_ instance: Instance, osId: String? = nil) -> ReportWrite {
                ReportWrite(
                    tenant: fleet.tenant,
                    hostName: "node",
                    instance: instance,
                    appliedPolicyId: instance.osUpdatePolicyId,
                    report: InstanceReport(
                        instanceId: instance.resourceId,
                        updateStatus: StatusTriplet(status: "Updating", indicator: .inProgress, timestamp: 7),
                        osUpdateAvailable: "",
                        osId: osId
                    ),
                    statusChanged: true,
                    osName: fleet.os.name,
                    osType: .immutable,
                    status: .started,
                    detail: "",
                    now: 7
                )
            }
            var gone = fleet.instances[1]
            gone.resourceId = "inst-0000ffff"
            let errors = await MaintenanceManager.write(
                [report(fleet.instances[0]), report(gone), report(fleet.instances[1], osId: "os-0000ffff")],
                to: store
            )
            #expect(errors.count == 3)
            #expect(errors[0] == nil && errors[1] != nil && errors[2] != nil)
            let first = try await store.instance(tenant: fleet.tenant, id: fleet.instances[0].resourceId)
            #expect(first.updateStatus.status == "Updating")
            #expect(try await store.openRun(tenant: fleet.tenant, instanceId: first.resourceId)?.status == "Updating")
            // The faulty ones changed nothing: no status, no run.
            let second = try await store.instance(tenant: fleet.tenant, id: fleet.instances[1].resourceId)
            #expect(second == fleet.instances[1])
            #expect(try await store.openRun(tenant: fleet.tenant, instanceId: second.resourceId) == nil)
        }
    }
}

@Suite("Log throttle")
struct LogThrottleTests {
    @Test("one line per interval, with the count of those held back")
    func throttle() {
        let throttle = LogThrottle(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(throttle.admit(now: start) == 0)
        #expect(throttle.admit(now: start + .seconds(1)) == nil)
        #expect(throttle.admit(now: start + .seconds(9)) == nil)
        #expect(throttle.admit(now: start + .seconds(10)) == 2)
        #expect(throttle.admit(now: start + .seconds(12)) == nil)
        #expect(throttle.admit(now: start + .seconds(30)) == 1)
    }
}
