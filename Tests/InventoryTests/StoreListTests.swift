import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

@Suite("Inventory lists: filters, order, paging")
struct StoreListTests {
    /// Hosts edge-0 … edge-4 on two sites; edge-0/1 have instances with a LATEST policy on edge-0.
    private func seed(_ store: any InventoryStore) async throws -> (Fixtures.Fleet, Site, String) {
        let fleet = try await Fixtures.fleet(in: store, hosts: 2)
        let tenant = fleet.tenant
        let otherSite = try await store.createSite(
            tenant: tenant,
            Site(name: "munich-2", regionId: fleet.topRegion.resourceId)
        )
        for index in 2..<5 {
            _ = try await store.createHost(
                tenant: tenant,
                HostResource(name: "EDGE-\(index)", uuid: Fixtures.uuid(index), siteId: otherSite.resourceId)
            )
        }
        let policy = try await store.createPolicy(tenant: tenant, OSUpdatePolicy(name: "latest", updatePolicy: .latest))
        var linked = fleet.instances[0]
        linked.osUpdatePolicyId = policy.resourceId
        _ = try await store.updateInstance(tenant: tenant, linked)
        return (fleet, otherSite, policy.resourceId)
    }

    private func names(
        _ store: any InventoryStore,
        _ tenant: String,
        _ filter: String,
        order: String = "name"
    ) async throws
        -> [String]
    {
        try await store.hosts(tenant: tenant, try ListQuery(filter: filter, orderBy: order)).items.map(\.name)
    }

    @Test("filters: substring, case, wildcard, edges, has, NOT/OR, enums, null", arguments: backends)
    func filters(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let (fleet, otherSite, policy) = try await seed(store)
            let tenant = fleet.tenant
            #expect(try await names(store, tenant, "") == ["EDGE-2", "EDGE-3", "EDGE-4", "edge-0", "edge-1"])
            #expect(try await names(store, tenant, #"name="edge-1""#) == ["edge-1"])
            #expect(try await names(store, tenant, #"name="Edge""#).count == 5)
            #expect(try await names(store, tenant, #"name="e*-3""#) == ["EDGE-3"])
            #expect(
                try await names(store, tenant, #"site.resourceId="\#(otherSite.resourceId)""#) == [
                    "EDGE-2", "EDGE-3", "EDGE-4",
                ]
            )
            #expect(
                try await names(store, tenant, #"site.region.resourceId="\#(fleet.childRegion.resourceId)""#) == [
                    "edge-0", "edge-1",
                ]
            )
            #expect(try await names(store, tenant, "has(instance)") == ["edge-0", "edge-1"])
            #expect(try await names(store, tenant, "NOT has(instance)") == ["EDGE-2", "EDGE-3", "EDGE-4"])
            #expect(try await names(store, tenant, #"instance.osUpdatePolicy.resourceId="\#(policy)""#) == ["edge-0"])
            #expect(try await names(store, tenant, "has(instance.osUpdatePolicy)") == ["edge-0"])
            #expect(try await names(store, tenant, #"name="edge-0" OR name="EDGE-4""#) == ["EDGE-4", "edge-0"])
            #expect(try await names(store, tenant, #"has(instance) AND NOT name="0""#) == ["edge-1"])
            #expect(try await names(store, tenant, "current_state=HOST_STATE_ONBOARDED").count == 5)
            #expect(try await names(store, tenant, "currentState!=HOST_STATE_ONBOARDED").isEmpty)
            #expect(try await names(store, tenant, "serialNumber=\"\"").count == 5)
            #expect(try await names(store, tenant, "uuid=null").isEmpty)
            let immutable = try await store.osResources(
                tenant: tenant,
                try ListQuery(filter: "osType=OS_TYPE_IMMUTABLE")
            )
            #expect(immutable.items.map(\.resourceId) == [fleet.os.resourceId])
            let instances = try await store.instances(
                tenant: tenant,
                try ListQuery(filter: #"host.site.name="berlin" AND os.profileName="microvisor""#)
            )
            #expect(instances.totalElements == 2)
        }
    }

    @Test("bad filters and orders are refused naming the parameter", arguments: backends)
    func badFilters(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let (fleet, _, _) = try await seed(store)
            let tenant = fleet.tenant
            for filter in ["nosuch=1", "site=\"x\"", "name.resourceId=\"x\"", "currentState=NOPE", "siteLat=abc"] {
                await expectInventoryError(.invalidArgument, field: "filter") {
                    _ = try await store.hosts(tenant: tenant, try ListQuery(filter: filter))
                }
            }
            await expectInventoryError(.invalidArgument, field: "orderBy") {
                _ = try await store.hosts(tenant: tenant, try ListQuery(filter: "", orderBy: "nosuch"))
            }
            await expectInventoryError(.invalidArgument, field: "orderBy") {
                _ = try await store.hosts(tenant: tenant, try ListQuery(filter: "", orderBy: "instance"))
            }
            #expect(throws: ValidationError.self) { try ListQuery(filter: "name=(") }
            #expect(throws: ValidationError.self) { try ListQuery(pageSize: 0) }
            #expect(throws: ValidationError.self) { try ListQuery(pageSize: 101) }
            #expect(throws: ValidationError.self) { try ListQuery(offset: 10001) }
        }
    }

    @Test("order and paging: totalElements and hasNext", arguments: backends)
    func paging(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let (fleet, _, _) = try await seed(store)
            let tenant = fleet.tenant
            let first = try await store.hosts(
                tenant: tenant,
                try ListQuery(filter: "", orderBy: "name desc", pageSize: 2)
            )
            #expect(first.items.map(\.name) == ["edge-1", "edge-0"])
            #expect(first.totalElements == 5)
            #expect(first.hasNext)
            let last = try await store.hosts(
                tenant: tenant,
                try ListQuery(filter: "", orderBy: "name desc", pageSize: 2, offset: 4)
            )
            #expect(last.items.map(\.name) == ["EDGE-2"])
            #expect(last.totalElements == 5)
            #expect(last.hasNext == false)
            let beyond = try await store.hosts(tenant: tenant, try ListQuery(filter: "", pageSize: 10, offset: 50))
            #expect(beyond.items.isEmpty)
            #expect(beyond.totalElements == 5)
            let offsetOnly = try await store.hosts(
                tenant: tenant,
                try ListQuery(filter: "", orderBy: "name", offset: 3)
            )
            #expect(offsetOnly.items.map(\.name) == ["edge-0", "edge-1"])
            let byIdDefault = try await store.hosts(tenant: tenant, .all).items.map(\.resourceId)
            #expect(byIdDefault == byIdDefault.sorted())
        }
    }
}
