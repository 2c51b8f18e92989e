import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

@testable import MaintenanceManager

/// The poll's rollout gate: a host a rollout owns updates only while its wave is open, with the rollout's policy.
@Suite("Maintenance Manager rollout gate")
struct RolloutGateTests {
    /// A TARGET policy to the newer image, a window on the site now, and the immutable node's own policy: none.
    private func prepare(_ world: MMWorld) async throws -> OSUpdatePolicy {
        let policy = try await world.store.createPolicy(
            tenant: world.tenant,
            OSUpdatePolicy(name: "to-newer", targetOsId: world.newerOS.resourceId, updatePolicy: .target)
        )
        _ = try await world.store.createSingleSchedule(
            tenant: world.tenant,
            SingleSchedule(
                name: "site-window",
                target: .site(world.fleet.site.resourceId),
                startSeconds: world.clock.unixSeconds + 1,
                endSeconds: world.clock.unixSeconds + 7200
            )
        )
        world.clock.advance(seconds: 10)
        return policy
    }

    @Test("a later wave gets neither windows nor an update source, not even from the node's own policy", arguments: backends)
    func laterWaveClosed(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let policy = try await prepare(world)
            // A second immutable node on the same OS: a canary of one, then the other.
            let second = try await store.createHost(
                tenant: world.tenant,
                HostResource(name: "edge-second", uuid: Fixtures.uuid(60), siteId: world.fleet.site.resourceId)
            )
            let secondInstance = try await store.createInstance(
                tenant: world.tenant,
                Instance(
                    name: "edge-second",
                    hostId: second.resourceId,
                    osId: world.fleet.os.resourceId,
                    provisioningStatus: MMWorld.provisioned
                )
            )
            let rollout = try await store.createRollout(
                tenant: world.tenant,
                Rollout(
                    name: "canary",
                    osUpdatePolicyId: policy.resourceId,
                    target: .hosts([world.immutableHost.resourceId, second.resourceId]),
                    waves: [RolloutWave(size: .hosts(1)), RolloutWave(size: .percent(100))]
                )
            )
            let hosts = try await store.rolloutHosts(
                tenant: world.tenant,
                rolloutId: rollout.resourceId,
                try RolloutHostQuery()
            ).items
            #expect(hosts.map(\.host.wave) == [0, 1])
            let byId = [world.immutableHost.resourceId: (world.immutableHost, world.immutableInstance), second.resourceId: (second, secondInstance)]
            let (canary, _) = try #require(byId[hosts[0].host.hostId])
            let (later, laterInstance) = try #require(byId[hosts[1].host.hostId])
            var response = try await world.poll(canary, .upToDate)
            #expect(response.image?.imageId == world.newerOS.imageId)
            response = try await world.poll(later, .upToDate)
            #expect(response.image == nil)
            #expect(response.singleSchedule == nil && response.repeatedSchedules.isEmpty)
            #expect(response.osType == .immutable)
            // Not even the node's own LATEST policy applies while the rollout owns it.
            try await world.link(laterInstance, OSUpdatePolicy(name: "own", updatePolicy: .latest))
            response = try await world.poll(later, .upToDate)
            #expect(response.image == nil && response.singleSchedule == nil)
            let lookup = try #require(try await store.hostAndInstance(tenant: world.tenant, uuid: later.uuid!))
            #expect(lookup.rollout?.rolloutId == rollout.resourceId && lookup.rollout?.openedAt == nil)
        }
    }

    @Test("an open wave: the rollout's image, windows kept, the run records the rollout's policy", arguments: backends)
    func openWave(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let policy = try await prepare(world)
            let rollout = try await store.createRollout(
                tenant: world.tenant,
                Rollout(
                    name: "all-at-once",
                    osUpdatePolicyId: policy.resourceId,
                    target: .hosts([world.immutableHost.resourceId])
                )
            )
            #expect(rollout.state == .running && rollout.currentWave == 0)
            let response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image?.imageId == world.newerOS.imageId)
            #expect(response.singleSchedule?.name == "site-window")
            _ = try await world.poll(world.immutableHost, .started)
            let runs = try await world.runs(world.immutableInstance)
            #expect(runs.count == 1)
            #expect(runs.first?.appliedPolicyId == policy.resourceId)
        }
    }

    @Test("respectMaintenanceWindows false: the rollout's own window from the wave's opening", arguments: backends)
    func ownWindow(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let policy = try await store.createPolicy(
                tenant: world.tenant,
                OSUpdatePolicy(name: "to-newer", targetOsId: world.newerOS.resourceId, updatePolicy: .target)
            )
            let opened = clock.unixSeconds
            let rollout = try await store.createRollout(
                tenant: world.tenant,
                Rollout(
                    name: "no-windows",
                    osUpdatePolicyId: policy.resourceId,
                    target: .site(world.fleet.site.resourceId),
                    respectMaintenanceWindows: false,
                    windowSeconds: 900
                )
            )
            let response = try await world.poll(world.immutableHost, .upToDate)
            let window = try #require(response.singleSchedule)
            #expect(window.startSeconds == opened && window.endSeconds == opened + 900)
            #expect(window.resourceId == "singlesche-" + rollout.resourceId.dropFirst("rollout-".count))
            #expect(response.image?.imageId == world.newerOS.imageId)
        }
    }

    @Test("paused: a pending host starts nothing, one reporting STARTED keeps its image; released after cancel", arguments: backends)
    func pausedAndCancelled(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let policy = try await prepare(world)
            let rollout = try await store.createRollout(
                tenant: world.tenant,
                Rollout(name: "paused", osUpdatePolicyId: policy.resourceId, target: .hosts([world.immutableHost.resourceId]))
            )
            var work = try await store.rolloutWork(tenant: world.tenant, id: rollout.resourceId)
            let paused = try RolloutMachine.pause(work.rollout, by: "test", now: clock.unixSeconds)
            #expect(try await store.applyRolloutAdvance(tenant: world.tenant, paused, version: work.version, now: clock.unixSeconds))
            var response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == nil && response.singleSchedule == nil)
            // The node was already writing the image when the pause landed: it keeps its source.
            response = try await world.poll(world.immutableHost, .started)
            #expect(response.image?.imageId == world.newerOS.imageId)
            work = try await store.rolloutWork(tenant: world.tenant, id: rollout.resourceId)
            let cancelled = try RolloutMachine.cancel(work.rollout, by: "test", now: clock.unixSeconds)
            #expect(try await store.applyRolloutAdvance(tenant: world.tenant, cancelled, version: work.version, now: clock.unixSeconds))
            // Cancelled before the controller saw it start, but its run is open: it stays owned and keeps its
            // image until it reports the outcome.
            var lookup = try #require(try await store.hostAndInstance(tenant: world.tenant, uuid: world.immutableHost.uuid!))
            #expect(lookup.rollout?.rolloutId == rollout.resourceId)
            response = try await world.poll(world.immutableHost, .started)
            #expect(response.image?.imageId == world.newerOS.imageId)
            _ = try await world.poll(world.immutableHost, .updated, profile: world.newerOS.profileName, image: world.newerOS.imageId)
            // The controller's next step sees the finished run and releases the host.
            work = try await store.rolloutWork(tenant: world.tenant, id: rollout.resourceId)
            let observations = try await store.rolloutObservations(tenant: world.tenant, rolloutId: rollout.resourceId)
            let step = RolloutMachine.advance(work.rollout, observations: observations, now: clock.unixSeconds)
            #expect(step.changedHosts.map(\.state) == [.updated])
            #expect(try await store.applyRolloutAdvance(tenant: world.tenant, step, version: work.version, now: clock.unixSeconds))
            lookup = try #require(try await store.hostAndInstance(tenant: world.tenant, uuid: world.immutableHost.uuid!))
            #expect(lookup.rollout == nil)
            // Released: the node's own policy (none) applies again, with its windows.
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == nil)
            #expect(response.singleSchedule?.name == "site-window")
        }
    }
}
