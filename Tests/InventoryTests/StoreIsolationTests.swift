import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

@Suite("Inventory tenant isolation")
struct StoreIsolationTests {
    @Test("another project's resources are invisible and untouchable", arguments: backends)
    func isolation(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let a = try await Fixtures.fleet(in: store, name: "tenant-a", hosts: 2)
            let b = try await store.createProject(name: "tenant-b", id: nil).id
            let policy = try await store.createPolicy(
                tenant: a.tenant,
                OSUpdatePolicy(name: "l", updatePolicy: .latest)
            )
            let run = try await store.createRun(
                tenant: a.tenant,
                OSUpdateRun(name: "r", instanceId: a.instances[0].resourceId, startTime: 1)
            )
            let single = try await store.createSingleSchedule(
                tenant: a.tenant,
                SingleSchedule(name: "s", target: .site(a.site.resourceId), startSeconds: 4_000_000_000)
            )
            let repeated = try await store.createRepeatedSchedule(
                tenant: a.tenant,
                RepeatedSchedule(name: "r", target: .region(a.topRegion.resourceId))
            )

            // Reads by ID: not found.
            await expectInventoryError(.notFound) { _ = try await store.region(tenant: b, id: a.topRegion.resourceId) }
            await expectInventoryError(.notFound) { _ = try await store.site(tenant: b, id: a.site.resourceId) }
            await expectInventoryError(.notFound) { _ = try await store.host(tenant: b, id: a.hosts[0].resourceId) }
            await expectInventoryError(.notFound) {
                _ = try await store.instance(tenant: b, id: a.instances[0].resourceId)
            }
            await expectInventoryError(.notFound) { _ = try await store.osResource(tenant: b, id: a.os.resourceId) }
            await expectInventoryError(.notFound) { _ = try await store.policy(tenant: b, id: policy.resourceId) }
            await expectInventoryError(.notFound) { _ = try await store.run(tenant: b, id: run.resourceId) }
            await expectInventoryError(.notFound) {
                _ = try await store.singleSchedule(tenant: b, id: single.resourceId)
            }
            await expectInventoryError(.notFound) {
                _ = try await store.repeatedSchedule(tenant: b, id: repeated.resourceId)
            }
            #expect(try await store.host(tenant: b, uuid: Fixtures.uuid(0)) == nil)
            #expect(try await store.instance(tenant: b, hostId: a.hosts[0].resourceId) == nil)
            #expect(try await store.instances(tenant: b, hostIds: a.hosts.map(\.resourceId)).isEmpty)
            #expect(try await store.openRun(tenant: b, instanceId: a.instances[0].resourceId) == nil)
            let inherited = try await store.schedules(tenant: b, hostId: a.hosts[0].resourceId)
            #expect(inherited.single.isEmpty && inherited.repeated.isEmpty)

            // Lists: empty, even with filters naming the other tenant's IDs.
            #expect(try await store.regions(tenant: b, .all).totalElements == 0)
            #expect(try await store.sites(tenant: b, .all).totalElements == 0)
            #expect(try await store.hosts(tenant: b, .all).totalElements == 0)
            #expect(try await store.instances(tenant: b, .all).totalElements == 0)
            #expect(try await store.osResources(tenant: b, .all).totalElements == 0)
            #expect(try await store.policies(tenant: b, .all).totalElements == 0)
            #expect(try await store.runs(tenant: b, .all).totalElements == 0)
            #expect(try await store.singleSchedules(tenant: b, try ScheduleQuery()).totalElements == 0)
            #expect(try await store.repeatedSchedules(tenant: b, try ScheduleQuery()).totalElements == 0)

            // Writes: updates and deletes do not reach, references across tenants are refused.
            var stolen = a.hosts[0]
            stolen.name = "stolen"
            await expectInventoryError(.notFound) { _ = try await store.updateHost(tenant: b, stolen) }
            await expectInventoryError(.notFound) { try await store.deleteHost(tenant: b, id: a.hosts[0].resourceId) }
            await expectInventoryError(.notFound) {
                try await store.deleteRegion(tenant: b, id: a.topRegion.resourceId)
            }
            await expectInventoryError(.notFound) { try await store.deleteSite(tenant: b, id: a.site.resourceId) }
            await expectInventoryError(.notFound) { try await store.deleteOSResource(tenant: b, id: a.os.resourceId) }
            await expectInventoryError(.notFound) { try await store.deletePolicy(tenant: b, id: policy.resourceId) }
            await expectInventoryError(.notFound) { try await store.deleteRun(tenant: b, id: run.resourceId) }
            await expectInventoryError(.notFound) {
                try await store.deleteInstance(tenant: b, id: a.instances[0].resourceId)
            }
            await expectInventoryError(.notFound) {
                try await store.deleteSingleSchedule(tenant: b, id: single.resourceId)
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createHost(tenant: b, HostResource(name: "x", siteId: a.site.resourceId))
            }
            let bHost = try await store.createHost(tenant: b, HostResource(name: "b-host", uuid: Fixtures.uuid(0)))
            await expectInventoryError(.notFound) {
                _ = try await store.createInstance(tenant: b, Instance(hostId: bHost.resourceId, osId: a.os.resourceId))
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createSingleSchedule(
                    tenant: b,
                    SingleSchedule(name: "s", target: .host(a.hosts[0].resourceId), startSeconds: 4_000_000_000)
                )
            }

            // Tenant A still has everything, unchanged.
            #expect(try await store.host(tenant: a.tenant, id: a.hosts[0].resourceId).name == "edge-0")
            #expect(try await store.hosts(tenant: a.tenant, .all).totalElements == 2)
            #expect(try await store.host(tenant: a.tenant, uuid: Fixtures.uuid(0))?.resourceId == a.hosts[0].resourceId)
        }
    }
}
