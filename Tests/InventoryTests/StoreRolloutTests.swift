import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

/// A project ready for rollouts: a fleet on an old image, a newer image of the same profile and a TARGET policy to
/// it.
struct RolloutWorld {
    var fleet: Fixtures.Fleet
    var target: OSResource
    var policy: OSUpdatePolicy

    var tenant: String { fleet.tenant }

    static func make(in store: some InventoryStore, name: String = "acme", hosts: Int = 4) async throws -> RolloutWorld
    {
        let fleet = try await Fixtures.fleet(in: store, name: name, hosts: hosts)
        let target = try await store.createOSResource(
            tenant: fleet.tenant,
            Fixtures.immutableOS(version: "3.0.20260301.0100")
        )
        let policy = try await store.createPolicy(
            tenant: fleet.tenant,
            OSUpdatePolicy(name: "to-march", targetOsId: target.resourceId, updatePolicy: .target)
        )
        return RolloutWorld(fleet: fleet, target: target, policy: policy)
    }

    /// A rollout of this world's policy.
    func rollout(
        _ target: RolloutTarget,
        waves: [WaveSize] = [.hosts(1), .percent(100)],
        start: Int64 = 0,
        commitDeadlineSeconds: Int64 = Rollout.defaultCommitDeadlineSeconds
    ) -> Rollout {
        Rollout(
            name: "march",
            osUpdatePolicyId: policy.resourceId,
            target: target,
            waves: waves.map { RolloutWave(size: $0) },
            commitDeadlineSeconds: commitDeadlineSeconds,
            startSeconds: start
        )
    }

    /// Adds a host with an instance on the fleet's OS to `siteId`.
    func addHost(
        _ store: some InventoryStore,
        number: Int,
        siteId: String?,
        metadata: [MetadataItem] = []
    ) async throws
        -> (HostResource, Instance)
    {
        let host = try await store.createHost(
            tenant: tenant,
            HostResource(name: "extra-\(number)", uuid: Fixtures.uuid(number), siteId: siteId, metadata: metadata)
        )
        let instance = try await store.createInstance(
            tenant: tenant,
            Instance(name: "extra-\(number)", hostId: host.resourceId, osId: fleet.os.resourceId)
        )
        return (host, instance)
    }
}

/// Store helpers for rollouts, as the controller and the API use them.
enum RolloutSteps {
    /// Every host of a rollout, in rollout order.
    static func hosts(_ store: some InventoryStore, _ tenant: String, _ id: String) async throws -> [RolloutHost] {
        try await store.rolloutHosts(tenant: tenant, rolloutId: id, RolloutHostQuery()).items.map(\.host)
    }

    /// One controller step, exactly as `RolloutController.step` does it.
    @discardableResult
    static func advance(
        _ store: some InventoryStore,
        _ tenant: String,
        _ id: String,
        now: Int64
    ) async throws
        -> RolloutAdvance
    {
        let work = try await store.rolloutWork(tenant: tenant, id: id)
        var rollout = work.rollout
        let counts = try await store.rolloutCounts(tenant: tenant, rolloutId: id)
        for index in rollout.waves.indices { rollout.waves[index].counts = counts[index] ?? RolloutCounts() }
        let observations = try await store.rolloutObservations(tenant: tenant, rolloutId: id)
        let advance = RolloutMachine.advance(rollout, observations: observations, now: now)
        let written = try await store.applyRolloutAdvance(tenant: tenant, advance, version: work.version, now: now)
        #expect(written)
        return advance
    }

    /// An operator cancel through the store.
    static func cancel(_ store: some InventoryStore, _ tenant: String, _ id: String, now: Int64) async throws {
        let work = try await store.rolloutWork(tenant: tenant, id: id)
        let advance = try RolloutMachine.cancel(work.rollout, by: "test", now: now)
        #expect(try await store.applyRolloutAdvance(tenant: tenant, advance, version: work.version, now: now))
    }

    /// An update run of `instance` as the Maintenance Manager opens it.
    static func openRun(
        _ store: some InventoryStore,
        _ tenant: String,
        instance: Instance,
        status: String = "Updating",
        at time: Int64
    ) async throws -> OSUpdateRun {
        try await store.createRun(
            tenant: tenant,
            OSUpdateRun(
                name: "update \(time)",
                instanceId: instance.resourceId,
                statusIndicator: .inProgress,
                status: status,
                statusTimestamp: time,
                startTime: time
            )
        )
    }

    /// Ends `run` as the Maintenance Manager does on UPDATED (or FAILED).
    static func endRun(
        _ store: some InventoryStore,
        _ tenant: String,
        _ run: OSUpdateRun,
        failed: Bool = false,
        at time: Int64
    )
        async throws
    {
        var ended = run
        ended.status = failed ? "Update failed" : "Update completed"
        ended.statusIndicator = failed ? .error : .idle
        ended.statusTimestamp = time
        ended.endTime = time
        _ = try await store.updateRun(tenant: tenant, ended)
    }
}

@Suite("Inventory store: rollouts")
struct StoreRolloutTests {
    @Test("create over a site: the site's hosts, one owning rollout each, waves and counts stored", arguments: backends)
    func createOverSite(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 5)
            let otherSite = try await store.createSite(tenant: world.tenant, Site(name: "elsewhere"))
            _ = try await world.addHost(store, number: 50, siteId: otherSite.resourceId)
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId), waves: [.hosts(1), .percent(40), .percent(100)])
            )
            #expect(ResourceID.isValid(created.resourceId, kind: .rollout))
            #expect(created.startSeconds == clock.unixSeconds)
            #expect(created.waves.map(\.total) == [1, 2, 2])
            #expect(created.waves.map(\.pending) == [1, 2, 2])
            #expect(try await store.rollout(tenant: world.tenant, id: created.resourceId) == created)
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(Set(hosts.map(\.hostId)) == Set(world.fleet.hosts.map(\.resourceId)))
            #expect(hosts.map(\.position) == Array(0..<5))
            #expect(hosts.map(\.wave) == [0, 1, 1, 2, 2])
            #expect(hosts.allSatisfy { $0.state == .pending && $0.active })
            let page = try await store.rollouts(tenant: world.tenant, ListQuery())
            #expect(page.items.map(\.resourceId) == [created.resourceId])
            let wave2 = try await store.rolloutHosts(
                tenant: world.tenant,
                rolloutId: created.resourceId,
                RolloutHostQuery(wave: 1, pageSize: 1)
            )
            #expect(wave2.totalElements == 2 && wave2.items.count == 1 && wave2.hasNext)
            #expect(wave2.items.first?.siteId == world.fleet.site.resourceId)
        }
    }

    @Test("create over a region takes its sub-regions' sites; over a child region only its own", arguments: backends)
    func createOverRegion(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 3)
            let topSite = try await store.createSite(
                tenant: world.tenant,
                Site(name: "paris", regionId: world.fleet.topRegion.resourceId)
            )
            let (paris, _) = try await world.addHost(store, number: 60, siteId: topSite.resourceId)
            _ = try await world.addHost(store, number: 61, siteId: nil)

            let child = try await store.previewRollout(
                tenant: world.tenant,
                world.rollout(.region(world.fleet.childRegion.resourceId), waves: [.percent(100)])
            )
            #expect(Set(child.hosts.map(\.hostId)) == Set(world.fleet.hosts.map(\.resourceId)))

            let top = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.region(world.fleet.topRegion.resourceId), waves: [.hosts(2), .percent(100)])
            )
            let hosts = try await RolloutSteps.hosts(store, world.tenant, top.resourceId)
            #expect(Set(hosts.map(\.hostId)) == Set(world.fleet.hosts.map(\.resourceId) + [paris.resourceId]))
            // One host per site first: the canary spans both sites.
            let canary = try await store.rolloutHosts(
                tenant: world.tenant,
                rolloutId: top.resourceId,
                RolloutHostQuery(wave: 0)
            )
            #expect(Set(canary.items.compactMap(\.siteId)) == [world.fleet.site.resourceId, topSite.resourceId])
        }
    }

    @Test("create over a host list, and an unknown host named by its index", arguments: backends)
    func createOverHostList(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 4)
            let chosen = [world.fleet.hosts[3].resourceId, world.fleet.hosts[1].resourceId]
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.hosts(chosen), waves: [.percent(100)])
            )
            #expect(try await store.rollout(tenant: world.tenant, id: created.resourceId).target == .hosts(chosen))
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(hosts.map(\.hostId) == chosen.sorted())
            await expectInventoryError(.notFound, messageContains: "hostIds[1]") {
                _ = try await store.createRollout(
                    tenant: world.tenant,
                    world.rollout(.hosts([world.fleet.hosts[0].resourceId, "host-0badf00d"]))
                )
            }
        }
    }

    @Test("create over a filter on metadata", arguments: backends)
    func createOverFilter(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 2)
            let ring = [MetadataItem(key: "ring", value: "canary")]
            let (a, _) = try await world.addHost(store, number: 70, siteId: world.fleet.site.resourceId, metadata: ring)
            let (b, _) = try await world.addHost(store, number: 71, siteId: nil, metadata: ring)
            _ = try await world.addHost(
                store,
                number: 72,
                siteId: nil,
                metadata: [MetadataItem(key: "ring", value: "main")]
            )
            // The stored metadata JSON has no fixed key order (JSONEncoder on Linux), so the filter names the value
            // alone rather than the whole `{"key":…,"value":…}` object.
            let filter = #"metadata='"value":"canary"'"#
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.filter(filter), waves: [.percent(100)])
            )
            #expect(created.target == .filter(filter))
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(Set(hosts.map(\.hostId)) == [a.resourceId, b.resourceId])
            await expectInventoryError(.invalidArgument, field: "filter") {
                _ = try await store.createRollout(tenant: world.tenant, world.rollout(.filter("nosuchfield=1")))
            }
            await expectInventoryError(.invalidArgument, field: "target") {
                _ = try await store.createRollout(tenant: world.tenant, world.rollout(.filter("name=nomatch")))
            }
        }
    }

    @Test("the set is fixed at creation: a host added to the site later is not in it", arguments: backends)
    func setFixedAtCreation(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 3)
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId))
            )
            let (late, _) = try await world.addHost(store, number: 80, siteId: world.fleet.site.resourceId)
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(hosts.count == 3)
            #expect(!hosts.map(\.hostId).contains(late.resourceId))
            let lookup = try #require(try await store.hostAndInstance(tenant: world.tenant, uuid: late.uuid!))
            #expect(lookup.rollout == nil)
            #expect(try await store.rollout(tenant: world.tenant, id: created.resourceId).waves.map(\.total) == [1, 2])
        }
    }

    @Test("hosts that need nothing are skipped and counted as such", arguments: backends)
    func skippedCounted(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 3)
            var onTarget = try await store.instance(tenant: world.tenant, id: world.fleet.instances[0].resourceId)
            onTarget.osId = world.target.resourceId
            _ = try await store.updateInstance(tenant: world.tenant, onTarget)
            let bare = try await store.createHost(
                tenant: world.tenant,
                HostResource(name: "bare", uuid: Fixtures.uuid(90), siteId: world.fleet.site.resourceId)
            )
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(
                    .site(world.fleet.site.resourceId),
                    waves: [.hosts(2), .percent(100)],
                    start: 4_000_000_000
                )
            )
            #expect(created.state == .scheduled)
            #expect(created.waves.map(\.total) == [2, 2])
            #expect(created.waves.map(\.pending) == [2, 0])
            #expect(created.waves.map(\.skipped) == [0, 2])
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            let reasons = Dictionary(uniqueKeysWithValues: hosts.map { ($0.hostId, $0.reason) })
            #expect(reasons[world.fleet.hosts[0].resourceId] == .alreadyOnTarget)
            #expect(reasons[bare.resourceId] == .noInstance)
            let skipped = try await store.rolloutHosts(
                tenant: world.tenant,
                rolloutId: created.resourceId,
                RolloutHostQuery(state: .skipped)
            )
            #expect(skipped.totalElements == 2)
            #expect(try await store.rolloutCounts(tenant: world.tenant, rolloutId: created.resourceId)[1]?.skipped == 2)
        }
    }

    @Test(
        "a start that has come opens wave 1 at once (openedAt on wave-1 hosts only); a later one waits",
        arguments: backends
    )
    func startOpensFirstWave(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 4)
            let now = clock.unixSeconds
            let past = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.hosts(world.fleet.hosts.prefix(2).map(\.resourceId)), start: now - 100)
            )
            #expect(past.state == .running)
            #expect(past.currentWave == 0)
            #expect(past.waves.map(\.state) == [.running, .pending])
            #expect(past.waves[0].startTime == now)
            let hosts = try await RolloutSteps.hosts(store, world.tenant, past.resourceId)
            #expect(hosts.map(\.openedAt) == [now, nil])

            let future = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.hosts(world.fleet.hosts.suffix(2).map(\.resourceId)), start: now + 3600)
            )
            #expect(future.state == .scheduled)
            #expect(future.currentWave == -1)
            #expect(
                try await RolloutSteps.hosts(store, world.tenant, future.resourceId).allSatisfy { $0.openedAt == nil }
            )
            let work = try await store.rolloutWork()
            #expect(Set(work.map(\.rollout.resourceId)) == [past.resourceId, future.resourceId])
            #expect(work.allSatisfy { $0.tenant == world.tenant })
        }
    }

    @Test("a rollout whose every host needs nothing ends at creation and owns no host", arguments: backends)
    func endsAtCreation(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 2)
            let already = try await store.createPolicy(
                tenant: world.tenant,
                OSUpdatePolicy(name: "stay", targetOsId: world.fleet.os.resourceId, updatePolicy: .target)
            )
            var rollout = world.rollout(.site(world.fleet.site.resourceId))
            rollout.osUpdatePolicyId = already.resourceId
            let created = try await store.createRollout(tenant: world.tenant, rollout)
            #expect(created.state == .succeeded)
            #expect(created.waves.map(\.state) == [.succeeded, .succeeded])
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(hosts.allSatisfy { $0.state == .skipped && $0.reason == .alreadyOnTarget && !$0.active })
            let lookup = try #require(
                try await store.hostAndInstance(tenant: world.tenant, uuid: world.fleet.hosts[0].uuid!)
            )
            #expect(lookup.rollout == nil)
            #expect(try await store.rolloutWork().isEmpty)
            // The hosts are free for the next rollout, and the finished one can be deleted.
            _ = try await store.createRollout(tenant: world.tenant, world.rollout(.site(world.fleet.site.resourceId)))
            try await store.deleteRollout(tenant: world.tenant, id: created.resourceId)
        }
    }

    @Test(
        "an overlapping rollout is refused with conflict, naming the overlap, and writes nothing",
        arguments: backends
    )
    func overlapRefused(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 3)
            let first = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.hosts(world.fleet.hosts.prefix(2).map(\.resourceId)))
            )
            let (extra, _) = try await world.addHost(store, number: 95, siteId: nil)
            await expectInventoryError(.conflict, field: "target", messageContains: "1 hosts") {
                _ = try await store.createRollout(
                    tenant: world.tenant,
                    world.rollout(.hosts([world.fleet.hosts[1].resourceId, extra.resourceId]))
                )
            }
            await expectInventoryError(.conflict, messageContains: "2 hosts") {
                _ = try await store.createRollout(
                    tenant: world.tenant,
                    world.rollout(.site(world.fleet.site.resourceId))
                )
            }
            let all = try await store.rollouts(tenant: world.tenant, ListQuery())
            #expect(all.items.map(\.resourceId) == [first.resourceId])
            let lookup = try #require(try await store.hostAndInstance(tenant: world.tenant, uuid: extra.uuid!))
            #expect(lookup.rollout == nil)
            // The preview names the overlap instead of refusing it.
            let preview = try await store.previewRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId), waves: [.percent(100)])
            )
            #expect(preview.skippedByReason[.inAnotherRollout] == 2)
            // Once the first rollout is cancelled, the overlap is gone.
            try await RolloutSteps.cancel(store, world.tenant, first.resourceId, now: 1)
            _ = try await store.createRollout(tenant: world.tenant, world.rollout(.site(world.fleet.site.resourceId)))
        }
    }

    @Test(
        "HostLookup.rollout: filled while owned, kept while updating after cancel, nil once released",
        arguments: backends
    )
    func hostLookupMembership(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 3)
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId), waves: [.hosts(2), .percent(100)])
            )
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            let uuid = { (hostId: String) in world.fleet.hosts.first { $0.resourceId == hostId }!.uuid! }
            let instance = { (hostId: String) in world.fleet.instances.first { $0.hostId == hostId }! }
            let canary = try #require(
                try await store.hostAndInstance(tenant: world.tenant, uuid: uuid(hosts[0].hostId))
            )
            let membership = try #require(canary.rollout)
            #expect(membership.rolloutId == created.resourceId)
            #expect(membership.hostState == .pending)
            #expect(membership.openedAt == clock.unixSeconds)
            #expect(membership.rolloutState == .running)
            #expect(membership.policyId == world.policy.resourceId)
            #expect(membership.respectMaintenanceWindows)
            #expect(membership.windowSeconds == Rollout.defaultWindowSeconds)
            #expect(
                membership.gate(reportsUpdateUnderWay: false) == .open(policyId: world.policy.resourceId, window: nil)
            )
            let later = try #require(try await store.hostAndInstance(tenant: world.tenant, uuid: uuid(hosts[2].hostId)))
            #expect(later.rollout?.openedAt == nil)
            #expect(later.rollout?.gate(reportsUpdateUnderWay: false) == .closed)

            // The first canary host starts; the controller sees it; the operator cancels.
            clock.advance(seconds: 10)
            let run = try await RolloutSteps.openRun(
                store,
                world.tenant,
                instance: instance(hosts[0].hostId),
                at: clock.unixSeconds
            )
            try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            clock.advance(seconds: 10)
            try await RolloutSteps.cancel(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            let updating = try #require(
                try await store.hostAndInstance(tenant: world.tenant, uuid: uuid(hosts[0].hostId))
            )
            #expect(updating.rollout?.hostState == .updating)
            #expect(updating.rollout?.rolloutState == .cancelled)
            #expect(
                updating.rollout?.gate(reportsUpdateUnderWay: false)
                    == .open(policyId: world.policy.resourceId, window: nil)
            )
            for host in hosts.dropFirst() {
                #expect(try await store.hostAndInstance(tenant: world.tenant, uuid: uuid(host.hostId))?.rollout == nil)
            }
            #expect(try await store.rolloutWork().map(\.rollout.resourceId) == [created.resourceId])

            // It ends: the next step releases it.
            clock.advance(seconds: 10)
            try await RolloutSteps.endRun(store, world.tenant, run, at: clock.unixSeconds)
            try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            #expect(try await store.hostAndInstance(tenant: world.tenant, uuid: uuid(hosts[0].hostId))?.rollout == nil)
            let final = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(final.map(\.state) == [.updated, .skipped, .skipped])
            #expect(final.dropFirst().allSatisfy { $0.reason == .cancelled })
            #expect(final.allSatisfy { !$0.active })
            #expect(try await store.rolloutWork().isEmpty)
            let counts = try await store.rollout(tenant: world.tenant, id: created.resourceId).waves
            #expect(counts.map(\.updated) == [1, 0])
            #expect(counts.map(\.skipped) == [1, 1])
        }
    }

    @Test("rolloutObservations sees a run opened after the wave opened, not one from before", arguments: backends)
    func observations(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 3)
            // Every node updated once before the rollout existed.
            var before: [OSUpdateRun] = []
            for instance in world.fleet.instances {
                let run = try await RolloutSteps.openRun(
                    store,
                    world.tenant,
                    instance: instance,
                    at: clock.unixSeconds - 50
                )
                try await RolloutSteps.endRun(store, world.tenant, run, at: clock.unixSeconds - 40)
                before.append(run)
            }
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId), waves: [.hosts(2), .percent(100)])
            )
            #expect(try await store.rolloutObservations(tenant: world.tenant, rolloutId: created.resourceId).isEmpty)
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            let instance = { (hostId: String) in world.fleet.instances.first { $0.hostId == hostId }! }

            clock.advance(seconds: 5)
            let started = hosts[1]
            let after = try await RolloutSteps.openRun(
                store,
                world.tenant,
                instance: instance(started.hostId),
                at: clock.unixSeconds
            )
            // A run of a host whose wave has not opened is not followed.
            _ = try await RolloutSteps.openRun(
                store,
                world.tenant,
                instance: instance(hosts[2].hostId),
                at: clock.unixSeconds
            )

            let seen = try await store.rolloutObservations(tenant: world.tenant, rolloutId: created.resourceId)
            #expect(seen.map(\.host.hostId) == [started.hostId])
            #expect(seen.first?.run?.runId == after.resourceId)
            #expect(seen.first?.run?.status == "Updating")
            #expect(seen.first?.run?.endTime == nil)
            #expect(seen.first?.run?.startTime == clock.unixSeconds)
            #expect(!seen.contains { run in before.contains { $0.resourceId == run.run?.runId } })

            // The step makes it UPDATING; from then on it is followed with its run.
            try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            let followed = try await store.rolloutObservations(tenant: world.tenant, rolloutId: created.resourceId)
            #expect(followed.map(\.host.state) == [.updating])
            #expect(followed.first?.host.runId == after.resourceId)
            #expect(followed.first?.host.startedAt == clock.unixSeconds)
            clock.advance(seconds: 5)
            try await RolloutSteps.endRun(store, world.tenant, after, at: clock.unixSeconds)
            let ended = try await store.rolloutObservations(tenant: world.tenant, rolloutId: created.resourceId)
            #expect(ended.first?.run?.endTime == clock.unixSeconds)
            #expect(ended.first?.run?.indicator == .idle)
            try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            #expect(try await store.rolloutObservations(tenant: world.tenant, rolloutId: created.resourceId).isEmpty)
            let counts = try await store.rolloutCounts(tenant: world.tenant, rolloutId: created.resourceId)
            #expect(counts[0] == RolloutCounts(pending: 1, updated: 1))
            #expect(counts[1] == RolloutCounts(pending: 1))
        }
    }

    @Test("applyRolloutAdvance with a stale version returns false and writes nothing", arguments: backends)
    func staleVersion(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 2)
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId), start: clock.unixSeconds + 60)
            )
            let stale = try await store.rolloutWork(tenant: world.tenant, id: created.resourceId)
            // An operator pauses meanwhile.
            let paused = try RolloutMachine.pause(stale.rollout, by: "op", now: clock.unixSeconds)
            #expect(try await store.applyRolloutAdvance(tenant: world.tenant, paused, version: stale.version, now: 1))
            // The controller's step, decided on the version it read, is refused whole.
            clock.advance(seconds: 120)
            let step = RolloutMachine.advance(stale.rollout, observations: [], now: clock.unixSeconds)
            #expect(step.openedWaves == [0])
            let written = try await store.applyRolloutAdvance(
                tenant: world.tenant,
                step,
                version: stale.version,
                now: clock.unixSeconds
            )
            #expect(!written)
            let now = try await store.rolloutWork(tenant: world.tenant, id: created.resourceId)
            #expect(now.rollout.state == .paused)
            #expect(now.rollout.stateReason == "paused by op")
            #expect(now.version == stale.version + 1)
            #expect(
                try await RolloutSteps.hosts(store, world.tenant, created.resourceId).allSatisfy { $0.openedAt == nil }
            )
        }
    }

    @Test("runsToFail closes the run as failed and marks the instance failed", arguments: backends)
    func deadlineClosesRun(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 2)
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(
                    .hosts([world.fleet.hosts[0].resourceId, world.fleet.hosts[1].resourceId]),
                    commitDeadlineSeconds: 600
                )
            )
            let canary = try #require(
                try await RolloutSteps.hosts(store, world.tenant, created.resourceId).first { $0.wave == 0 }
            )
            let instance = try #require(world.fleet.instances.first { $0.hostId == canary.hostId })
            clock.advance(seconds: 10)
            let run = try await RolloutSteps.openRun(store, world.tenant, instance: instance, at: clock.unixSeconds)
            try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            clock.advance(seconds: 600)
            let onTime = try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            #expect(onTime.runsToFail.isEmpty)
            clock.advance(seconds: 1)
            let late = try await RolloutSteps.advance(store, world.tenant, created.resourceId, now: clock.unixSeconds)
            #expect(late.runsToFail == [run.resourceId])

            let closed = try await store.run(tenant: world.tenant, id: run.resourceId)
            #expect(!closed.isOpen)
            #expect(closed.endTime == clock.unixSeconds)
            #expect(closed.statusIndicator == .error)
            #expect(closed.status == "Update failed")
            #expect(closed.statusDetails.contains("commit deadline of 600 s"))
            let failed = try await store.instance(tenant: world.tenant, id: instance.resourceId)
            #expect(failed.updateStatus.indicator == .error)
            #expect(failed.updateStatus.status == "Update failed")
            let host = try #require(
                try await RolloutSteps.hosts(store, world.tenant, created.resourceId).first {
                    $0.hostId == canary.hostId
                }
            )
            #expect(host.state == .failed)
            #expect(host.reason == .deadline)
            let rollout = try await store.rollout(tenant: world.tenant, id: created.resourceId)
            #expect(rollout.state == .paused)
            #expect(rollout.waves[0].failed == 1)
            #expect(try await store.openRun(tenant: world.tenant, instanceId: instance.resourceId) == nil)
        }
    }

    @Test("tenant isolation: another project's policy, site, hosts and rollouts are not found", arguments: backends)
    func tenantIsolation(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let acme = try await RolloutWorld.make(in: store, name: "acme", hosts: 2)
            let other = try await RolloutWorld.make(in: store, name: "other", hosts: 2)
            let created = try await store.createRollout(
                tenant: acme.tenant,
                acme.rollout(.site(acme.fleet.site.resourceId))
            )
            var foreignPolicy = other.rollout(.site(other.fleet.site.resourceId))
            foreignPolicy.osUpdatePolicyId = acme.policy.resourceId
            await expectInventoryError(.notFound, messageContains: acme.policy.resourceId) {
                _ = try await store.createRollout(tenant: other.tenant, foreignPolicy)
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createRollout(
                    tenant: other.tenant,
                    other.rollout(.site(acme.fleet.site.resourceId))
                )
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createRollout(
                    tenant: other.tenant,
                    other.rollout(.region(acme.fleet.topRegion.resourceId))
                )
            }
            await expectInventoryError(.notFound, messageContains: "hostIds[0]") {
                _ = try await store.createRollout(
                    tenant: other.tenant,
                    other.rollout(.hosts([acme.fleet.hosts[0].resourceId]))
                )
            }
            await expectInventoryError(.notFound) {
                _ = try await store.previewRollout(
                    tenant: other.tenant,
                    other.rollout(.site(acme.fleet.site.resourceId))
                )
            }
            let id = created.resourceId
            await expectInventoryError(.notFound) { _ = try await store.rollout(tenant: other.tenant, id: id) }
            await expectInventoryError(.notFound) { _ = try await store.rolloutWork(tenant: other.tenant, id: id) }
            await expectInventoryError(.notFound) { _ = try await store.previewRollout(tenant: other.tenant, id: id) }
            await expectInventoryError(.notFound) { try await store.deleteRollout(tenant: other.tenant, id: id) }
            await expectInventoryError(.notFound) {
                _ = try await store.rolloutHosts(tenant: other.tenant, rolloutId: id, RolloutHostQuery())
            }
            #expect(try await store.rollouts(tenant: other.tenant, ListQuery()).items.isEmpty)
            #expect(try await store.rolloutObservations(tenant: other.tenant, rolloutId: id).isEmpty)
            #expect(try await store.rolloutCounts(tenant: other.tenant, rolloutId: id).isEmpty)
            // The other project's hosts with the same UUIDs are not owned.
            let lookup = try await store.hostAndInstance(tenant: other.tenant, uuid: other.fleet.hosts[0].uuid!)
            #expect(lookup?.rollout == nil)
            // Its own rollout over its own site is accepted.
            _ = try await store.createRollout(tenant: other.tenant, other.rollout(.site(other.fleet.site.resourceId)))
        }
    }

    @Test("delete: refused while unfinished, allowed once ended; a policy used by a rollout stays", arguments: backends)
    func deletes(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 2)
            let created = try await store.createRollout(
                tenant: world.tenant,
                world.rollout(.site(world.fleet.site.resourceId))
            )
            await expectInventoryError(.conflict, messageContains: "ROLLOUT_STATE_RUNNING") {
                try await store.deleteRollout(tenant: world.tenant, id: created.resourceId)
            }
            await expectInventoryError(.failedPrecondition, messageContains: created.resourceId) {
                try await store.deletePolicy(tenant: world.tenant, id: world.policy.resourceId)
            }
            try await RolloutSteps.cancel(store, world.tenant, created.resourceId, now: 1)
            await expectInventoryError(.failedPrecondition, messageContains: created.resourceId) {
                try await store.deletePolicy(tenant: world.tenant, id: world.policy.resourceId)
            }
            try await store.deleteRollout(tenant: world.tenant, id: created.resourceId)
            await expectInventoryError(.notFound) {
                _ = try await store.rollout(tenant: world.tenant, id: created.resourceId)
            }
            try await store.deletePolicy(tenant: world.tenant, id: world.policy.resourceId)
            // A host of a deleted rollout can be deleted.
            try await store.deleteInstance(tenant: world.tenant, id: world.fleet.instances[0].resourceId)
            try await store.deleteHost(tenant: world.tenant, id: world.fleet.hosts[0].resourceId)
        }
    }

    @Test("previewRollout writes nothing and matches what create then does", arguments: backends)
    func previewWritesNothing(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await RolloutWorld.make(in: store, hosts: 4)
            let generation = try await store.configGeneration(tenant: world.tenant)
            var draft = world.rollout(.site(world.fleet.site.resourceId), waves: [.hosts(1), .percent(100)])
            draft.respectMaintenanceWindows = false
            let preview = try await store.previewRollout(tenant: world.tenant, draft)
            #expect(preview.hosts.count == 4)
            #expect(preview.waves.map(\.hosts) == [1, 3])
            #expect(preview.hosts.allSatisfy { $0.offer == .image(world.target) })
            #expect(preview.hosts.allSatisfy { $0.earliestStart == clock.unixSeconds })
            #expect(try await store.rollouts(tenant: world.tenant, ListQuery()).items.isEmpty)
            #expect(try await store.rolloutWork().isEmpty)
            #expect(try await store.configGeneration(tenant: world.tenant) == generation)
            for host in world.fleet.hosts {
                #expect(try await store.hostAndInstance(tenant: world.tenant, uuid: host.uuid!)?.rollout == nil)
            }
            let created = try await store.createRollout(tenant: world.tenant, draft)
            let hosts = try await RolloutSteps.hosts(store, world.tenant, created.resourceId)
            #expect(hosts.map(\.hostId) == preview.hosts.map(\.hostId))
            #expect(hosts.map(\.wave) == preview.hosts.map(\.wave))
            let stored = try await store.previewRollout(tenant: world.tenant, id: created.resourceId)
            #expect(stored.hosts.map(\.hostId) == preview.hosts.map(\.hostId))
            #expect(stored.waves.first?.earliestStart == clock.unixSeconds)
        }
    }

    @Test("bad input is refused before anything is read", arguments: backends)
    func badInput(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let world = try await RolloutWorld.make(in: store, hosts: 1)
            var bad = world.rollout(.site(world.fleet.site.resourceId))
            bad.successThreshold = 101
            await expectInventoryError(.invalidArgument, field: "successThreshold") {
                _ = try await store.createRollout(tenant: world.tenant, bad)
            }
            await expectInventoryError(.invalidArgument, field: "waves[0].hosts") {
                _ = try await store.createRollout(
                    tenant: world.tenant,
                    world.rollout(.site(world.fleet.site.resourceId), waves: [.hosts(2)])
                )
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createRollout(tenant: world.tenant, world.rollout(.site("site-0badf00d")))
            }
            #expect(try await store.rollouts(tenant: world.tenant, ListQuery()).items.isEmpty)
        }
    }
}
