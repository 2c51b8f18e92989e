import Day2Model
import Day2Testing
import Foundation
import Inventory
import Logging
import Orchestrator
import Testing

/// A SQLite file with a project ready for a rollout: `hosts` hosts on one site running an old image, a newer image
/// and a TARGET policy to it. The nodes' reports are simulated by writing update runs through the store, as the
/// Maintenance Manager does.
struct ControllerWorld {
    let path: String
    let clock: ManualClock
    let tenant: String
    let siteId: String
    let policyId: String
    /// The instance of each host, by host ID.
    let instances: [String: Instance]

    static var logger: Logger {
        var logger = Logger(label: "day2.test.rollouts")
        logger.logLevel = .warning
        return logger
    }

    static func openStore(_ path: String, clock: ManualClock) async throws -> SQLInventoryStore<SQLiteDatabase> {
        try await SQLInventoryStore.sqlite(path: path, logger: logger, now: clock.source)
    }

    /// Runs `body` with a world in a fresh folder, removed afterwards.
    static func with(
        hosts: Int,
        _ body: (ControllerWorld, SQLInventoryStore<SQLiteDatabase>) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("day2-rollouts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("day2.sqlite").path
        let clock = ManualClock()
        let store = try await openStore(path, clock: clock)
        let fleet = try await Fixtures.fleet(in: store, hosts: hosts)
        let target = try await store.createOSResource(
            tenant: fleet.tenant,
            Fixtures.immutableOS(version: "3.0.20260301.0100")
        )
        let policy = try await store.createPolicy(
            tenant: fleet.tenant,
            OSUpdatePolicy(name: "to-march", targetOsId: target.resourceId, updatePolicy: .target)
        )
        let world = ControllerWorld(
            path: path,
            clock: clock,
            tenant: fleet.tenant,
            siteId: fleet.site.resourceId,
            policyId: policy.resourceId,
            instances: Dictionary(uniqueKeysWithValues: fleet.instances.map { ($0.hostId, $0) })
        )
        try await body(world, store)
    }

    func controller(_ store: SQLInventoryStore<SQLiteDatabase>) -> RolloutController<SQLInventoryStore<SQLiteDatabase>>
    {
        RolloutController(
            store: store,
            holder: UUID().uuidString,
            interval: .seconds(5),
            now: clock.source,
            logger: Self.logger
        )
    }

    func createRollout(
        _ store: some InventoryStore,
        waves: [WaveSize],
        failureThreshold: Int = 0
    ) async throws
        -> Rollout
    {
        try await store.createRollout(
            tenant: tenant,
            Rollout(
                name: "march",
                osUpdatePolicyId: policyId,
                target: .site(siteId),
                waves: waves.map { RolloutWave(size: $0) },
                failureThreshold: failureThreshold
            )
        )
    }

    func hosts(_ store: some InventoryStore, _ id: String) async throws -> [RolloutHost] {
        try await store.rolloutHosts(tenant: tenant, rolloutId: id, RolloutHostQuery()).items.map(\.host)
    }

    /// The node of `hostId` reports STARTED: the Maintenance Manager opens its run.
    func start(_ store: some InventoryStore, _ hostId: String) async throws -> OSUpdateRun {
        let now = clock.unixSeconds
        return try await store.createRun(
            tenant: tenant,
            OSUpdateRun(
                name: "update \(now)",
                instanceId: instances[hostId]!.resourceId,
                statusIndicator: .inProgress,
                status: "Updating",
                statusTimestamp: now,
                startTime: now
            )
        )
    }

    /// The node reports UPDATED (or FAILED): the run ends.
    func end(_ store: some InventoryStore, _ run: OSUpdateRun, failed: Bool = false) async throws {
        var ended = run
        ended.status = failed ? "Update failed" : "Update completed"
        ended.statusIndicator = failed ? .error : .idle
        ended.statusTimestamp = clock.unixSeconds
        ended.endTime = clock.unixSeconds
        _ = try await store.updateRun(tenant: tenant, ended)
    }

    /// Updates every host of `wave` that is open and pending: STARTED, a pass, UPDATED, a pass.
    func updateWave(
        _ wave: Int,
        of id: String,
        store: SQLInventoryStore<SQLiteDatabase>,
        controller: RolloutController<SQLInventoryStore<SQLiteDatabase>>
    ) async throws {
        for host in try await hosts(store, id) where host.wave == wave && host.state == .pending {
            #expect(host.openedAt != nil)
            clock.advance(seconds: 5)
            let run = try await start(store, host.hostId)
            try await controller.pass()
            clock.advance(seconds: 60)
            try await end(store, run)
            try await controller.pass()
        }
    }
}

@Suite("Rollout controller over a SQLite store", .serialized)
struct RolloutControllerTests {
    @Test("a three-wave rollout advances to SUCCEEDED over passes, one wave after the other")
    func threeWavesSucceed() async throws {
        try await ControllerWorld.with(hosts: 6) { world, store in
            let controller = world.controller(store)
            let created = try await world.createRollout(store, waves: [.hosts(1), .hosts(2), .percent(100)])
            #expect(created.state == .running)
            // Nothing reported yet: a pass writes nothing.
            #expect(try await controller.pass() == 0)

            for wave in 0..<3 {
                let before = try await world.hosts(store, created.resourceId)
                #expect(before.filter { $0.wave > wave }.allSatisfy { $0.openedAt == nil }, "wave \(wave + 1)")
                #expect(before.filter { $0.wave == wave }.allSatisfy { $0.openedAt != nil }, "wave \(wave + 1)")
                try await world.updateWave(wave, of: created.resourceId, store: store, controller: controller)
                let rollout = try await store.rollout(tenant: world.tenant, id: created.resourceId)
                #expect(rollout.waves[wave].state == .succeeded)
                #expect(rollout.waves[wave].updated == rollout.waves[wave].total)
                #expect(rollout.currentWave == min(wave + 1, 2))
            }

            let done = try await store.rollout(tenant: world.tenant, id: created.resourceId)
            #expect(done.state == .succeeded)
            #expect(done.waves.map(\.state) == [.succeeded, .succeeded, .succeeded])
            #expect(done.waves.map(\.total) == [1, 2, 3])
            let hosts = try await world.hosts(store, created.resourceId)
            #expect(hosts.allSatisfy { $0.state == .updated && !$0.active && $0.runId != nil })
            #expect(try await store.rolloutWork().isEmpty)
            #expect(try await controller.pass() == 0)
            // The waves opened in order.
            let opened = Dictionary(grouping: hosts, by: \.wave).mapValues { $0.compactMap(\.openedAt).max()! }
            #expect(opened[0]! < opened[1]! && opened[1]! < opened[2]!)
        }
    }

    @Test("a failing canary pauses the rollout and no host of wave 2 opens")
    func failingCanaryPauses() async throws {
        try await ControllerWorld.with(hosts: 4) { world, store in
            let controller = world.controller(store)
            let created = try await world.createRollout(store, waves: [.hosts(1), .percent(100)])
            let canary = try #require(try await world.hosts(store, created.resourceId).first { $0.wave == 0 })
            world.clock.advance(seconds: 5)
            let run = try await world.start(store, canary.hostId)
            #expect(try await controller.pass() == 1)
            world.clock.advance(seconds: 60)
            try await world.end(store, run, failed: true)
            #expect(try await controller.pass() == 1)

            let paused = try await store.rollout(tenant: world.tenant, id: created.resourceId)
            #expect(paused.state == .paused)
            #expect(paused.stateReason == "wave 1: 1 of 1 hosts failed, above the failure threshold of 0 %")
            #expect(paused.currentWave == 0)
            #expect(paused.waves.map(\.state) == [.running, .pending])
            let hosts = try await world.hosts(store, created.resourceId)
            #expect(hosts.first { $0.hostId == canary.hostId }?.state == .failed)
            #expect(hosts.first { $0.hostId == canary.hostId }?.reason == .updateFailed)
            #expect(hosts.filter { $0.wave == 1 }.allSatisfy { $0.openedAt == nil && $0.state == .pending })

            // More passes, later, change nothing.
            world.clock.advance(seconds: 3600)
            #expect(try await controller.pass() == 0)
            #expect(try await world.hosts(store, created.resourceId) == hosts)
        }
    }

    @Test("a fresh controller on a fresh store continues a half-done rollout: no host is opened again")
    func restartContinues() async throws {
        try await ControllerWorld.with(hosts: 6) { world, store in
            let first = world.controller(store)
            let created = try await world.createRollout(store, waves: [.hosts(2), .hosts(2), .percent(100)])
            try await world.updateWave(0, of: created.resourceId, store: store, controller: first)
            // Wave 2 is open; one of its hosts is writing its image when the orchestrator is killed.
            let half = try await world.hosts(store, created.resourceId)
            let wave2 = half.filter { $0.wave == 1 }
            #expect(wave2.allSatisfy { $0.openedAt != nil })
            world.clock.advance(seconds: 5)
            let run = try await world.start(store, wave2[0].hostId)
            try await first.pass()

            // A new process: a new store on the same file, a new controller.
            world.clock.advance(seconds: 30)
            let reopened = try await ControllerWorld.openStore(world.path, clock: world.clock)
            let second = world.controller(reopened)
            #expect(try await second.pass() == 0)
            let after = try await world.hosts(reopened, created.resourceId)
            #expect(after.map(\.openedAt) == half.map(\.openedAt))
            #expect(after.first { $0.hostId == wave2[0].hostId }?.state == .updating)

            world.clock.advance(seconds: 30)
            try await world.end(reopened, run)
            try await second.pass()
            try await world.updateWave(1, of: created.resourceId, store: reopened, controller: second)
            try await world.updateWave(2, of: created.resourceId, store: reopened, controller: second)
            let done = try await reopened.rollout(tenant: world.tenant, id: created.resourceId)
            #expect(done.state == .succeeded)
            let final = try await world.hosts(reopened, created.resourceId)
            // The hosts of the first two waves kept the time their wave opened, before the restart.
            for host in final where host.wave < 2 {
                #expect(host.openedAt == half.first { $0.hostId == host.hostId }?.openedAt)
            }
            #expect(final.allSatisfy { $0.state == .updated })
            // One run per host: none was started twice.
            let runs = try await reopened.runs(tenant: world.tenant, ListQuery())
            #expect(runs.items.count == 6)
            #expect(Set(runs.items.map(\.instanceId)).count == 6)
        }
    }

    @Test("a paused rollout: the controller follows its hosts but opens no wave")
    func pausedOpensNothing() async throws {
        try await ControllerWorld.with(hosts: 2) { world, store in
            let controller = world.controller(store)
            let created = try await world.createRollout(store, waves: [.hosts(1), .percent(100)])
            let canary = try #require(try await world.hosts(store, created.resourceId).first { $0.wave == 0 })
            let run = try await world.start(store, canary.hostId)
            try await controller.pass()
            try await world.end(store, run)
            // The operator pauses before the controller sees the canary's outcome.
            let read = try await store.rolloutWork(tenant: world.tenant, id: created.resourceId)
            let pause = try RolloutMachine.pause(read.rollout, by: "op", now: world.clock.unixSeconds)
            #expect(try await store.applyRolloutAdvance(tenant: world.tenant, pause, version: read.version, now: 0))
            // The controller's next pass reads the paused rollout: it follows the canary but opens nothing.
            try await controller.pass()
            let rollout = try await store.rollout(tenant: world.tenant, id: created.resourceId)
            #expect(rollout.state == .paused)
            #expect(
                try await world.hosts(store, created.resourceId).filter { $0.wave == 1 }.allSatisfy {
                    $0.openedAt == nil
                }
            )
        }
    }
}
