import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

@testable import MaintenanceManager

/// The back ends on which a second store can be opened on the same database (another process, another replica).
let sharedBackends = backends.filter { $0 != .sqliteMemory }

@Suite("Poll cache: configuration changes reach the very next poll")
struct PollCacheTests {
    @Test("schedules, policies and OS resources changed between polls", arguments: backends)
    func changesBetweenPolls(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let tenant = world.tenant
            var response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule == nil && response.repeatedSchedules.isEmpty && response.image == nil)

            // A schedule on the site, then on the region, then a change of kind that closes no window.
            let now = clock.unixSeconds
            var single = try await store.createSingleSchedule(
                tenant: tenant,
                SingleSchedule(
                    name: "tonight",
                    target: .site(world.fleet.site.resourceId),
                    startSeconds: now + 600,
                    endSeconds: now + 1200
                )
            )
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule?.resourceId == single.resourceId)
            let weekly = try await store.createRepeatedSchedule(
                tenant: tenant,
                RepeatedSchedule(name: "weekly", target: .region(world.fleet.childRegion.resourceId), cronDayWeek: "6")
            )
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.repeatedSchedules.map(\.resourceId) == [weekly.resourceId])
            single.startSeconds = now + 3600
            single.endSeconds = now + 4000
            single = try await store.updateSingleSchedule(tenant: tenant, single)
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule?.startSeconds == now + 3600)
            try await store.deleteSingleSchedule(tenant: tenant, id: single.resourceId)
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule == nil)
            try await store.deleteRepeatedSchedule(tenant: tenant, id: weekly.resourceId)
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.repeatedSchedules.isEmpty)

            // A host-level schedule on another host must not leak to this one.
            _ = try await store.createSingleSchedule(
                tenant: tenant,
                SingleSchedule(name: "other", target: .host(world.mutableHost.resourceId), startSeconds: now + 60)
            )
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule == nil)
            response = try await world.poll(world.mutableHost, .upToDate)
            #expect(response.singleSchedule?.name == "other")

            // A policy linked, then another (kernel-only), then the first again and a newer image published.
            try await world.link(world.immutableInstance, OSUpdatePolicy(name: "latest", updatePolicy: .latest))
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == ImageOffer(world.newerOS))
            let latest = try await world.instance(world.immutableInstance).osUpdatePolicyId
            try await world.link(
                world.immutableInstance,
                OSUpdatePolicy(name: "kernel", updateKernelCommand: "quiet splash", updatePolicy: .target)
            )
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.kernelCommand == "quiet splash" && response.image == nil)
            var relinked = try await world.instance(world.immutableInstance)
            relinked.osUpdatePolicyId = latest
            _ = try await store.updateInstance(tenant: tenant, relinked)
            let newest = try await store.createOSResource(
                tenant: tenant,
                Fixtures.immutableOS(version: "3.0.20260303.0100")
            )
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == ImageOffer(newest))
            #expect(try await world.instance(world.immutableInstance).osUpdateAvailable == newest.name)
        }
    }

    @Test("writes made through another store on the same database", arguments: sharedBackends)
    func writesFromAnotherProcess(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStorePair(now: clock.source) { store, other in
            let world = try await MMWorld.make(store: store, clock: clock)
            let tenant = world.tenant
            var response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.repeatedSchedules.isEmpty)
            let weekly = try await other.createRepeatedSchedule(
                tenant: tenant,
                RepeatedSchedule(name: "weekly", target: .region(world.fleet.topRegion.resourceId), cronDayWeek: "0")
            )
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.repeatedSchedules.map(\.resourceId) == [weekly.resourceId])

            // Moving the host to another site (a host write) changes what it inherits.
            let elsewhere = try await other.createSite(tenant: tenant, Site(name: "paris-1"))
            var host = try await other.host(tenant: tenant, id: world.immutableHost.resourceId)
            host.siteId = elsewhere.resourceId
            _ = try await other.updateHost(tenant: tenant, host)
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.repeatedSchedules.isEmpty)
        }
    }

    @Test("a poll that read an older generation than the cache holds neither reads nor fills it")
    func olderGenerationBypasses() async throws {
        let cache = PollContextCache()
        let policy = OSUpdatePolicy(resourceId: "osupdatepolicy-00000001", name: "one", updatePolicy: .latest)
        let renamed = OSUpdatePolicy(resourceId: "osupdatepolicy-00000001", name: "two", updatePolicy: .latest)
        let newer = cache.view(tenant: "t", generation: 5)
        #expect(try await newer.policy(policy.resourceId) { policy }.name == "one")
        // Filled under 5: served from the cache (the loader is not called).
        #expect(try await newer.policy(policy.resourceId) { renamed }.name == "one")
        let older = cache.view(tenant: "t", generation: 4)
        #expect(!older.usable)
        #expect(try await older.policy(policy.resourceId) { renamed }.name == "two")
        #expect(try await newer.policy(policy.resourceId) { renamed }.name == "one")
        // A newer generation drops everything the project had.
        let newest = cache.view(tenant: "t", generation: 6)
        #expect(try await newest.policy(policy.resourceId) { renamed }.name == "two")
        // Another project is independent.
        let other = cache.view(tenant: "u", generation: 1)
        #expect(try await other.policy(policy.resourceId) { policy }.name == "one")
    }

    @Test("per-host entries are capped")
    func hostEntriesAreCapped() async throws {
        let cache = PollContextCache(maximumHostEntries: 2)
        let view = cache.view(tenant: "t", generation: 1)
        let one = HostSchedules(repeated: [RepeatedSchedule(name: "one", cronDayWeek: "1")])
        let two = HostSchedules(repeated: [RepeatedSchedule(name: "two", cronDayWeek: "2")])
        for host in ["a", "b"] { _ = try await view.ownSchedules(host) { one } }
        #expect(try await view.ownSchedules("a") { two } == one)
        _ = try await view.ownSchedules("c") { one }  // the third entry starts the map over
        #expect(try await view.ownSchedules("a") { two } == two)
    }
}
