import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

/// One suite, every back end: SQLite file, SQLite in memory, PostgreSQL.
@Suite("Inventory store conformance")
struct StoreConformanceTests {
    @Test("migrations run once and the schema is current", arguments: backends)
    func migrations(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            #expect(try await store.schemaVersion() == InventorySchema.latestVersion)
            #expect(InventorySchema.latestVersion >= 2)
            try await store.ping()
        }
    }

    @Test("projects: create, list, find, reject duplicates and bad names", arguments: backends)
    func projects(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let alpha = try await store.createProject(name: "alpha", id: nil)
            let beta = try await store.createProject(name: "beta", id: "8E2B4F11-0000-4000-8000-000000000001")
            #expect(beta.id == "8e2b4f11-0000-4000-8000-000000000001")
            #expect(try await store.projects().map(\.name) == ["alpha", "beta"])
            #expect(try await store.project(named: "alpha") == alpha)
            #expect(try await store.project(named: "gamma") == nil)
            await expectInventoryError(.failedPrecondition, field: "name") {
                _ = try await store.createProject(name: "alpha", id: nil)
            }
            await expectInventoryError(.invalidArgument, field: "name") {
                _ = try await store.createProject(name: "Bad Name!", id: nil)
            }
            await expectInventoryError(.invalidArgument, field: "id") {
                _ = try await store.createProject(name: "delta", id: "not-a-uuid")
            }
        }
    }

    @Test("regions and sites: parents, updates, loops refused, deletes guarded", arguments: backends)
    func locations(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let tenant = try await store.createProject(name: "acme", id: nil).id
            let top = try await store.createRegion(tenant: tenant, Region(name: "europe"))
            #expect(ResourceID.isValid(top.resourceId, kind: .region))
            #expect(top.timestamps.createdAt > 0)
            let child = try await store.createRegion(
                tenant: tenant,
                Region(name: "germany", parentRegionId: top.resourceId, metadata: [MetadataItem(key: "k", value: "v")])
            )
            #expect(try await store.region(tenant: tenant, id: child.resourceId) == child)
            await expectInventoryError(.notFound) {
                _ = try await store.createRegion(tenant: tenant, Region(name: "x", parentRegionId: "region-00000000"))
            }
            var looped = top
            looped.parentRegionId = child.resourceId
            await expectInventoryError(.invalidArgument, field: "parentId") {
                _ = try await store.updateRegion(tenant: tenant, looped)
            }
            var renamed = child
            renamed.name = "deutschland"
            let updated = try await store.updateRegion(tenant: tenant, renamed)
            #expect(updated.name == "deutschland")
            #expect(updated.timestamps.createdAt == child.timestamps.createdAt)
            let site = try await store.createSite(tenant: tenant, Site(name: "berlin", regionId: child.resourceId))
            await expectInventoryError(.failedPrecondition, messageContains: "1 sites") {
                try await store.deleteRegion(tenant: tenant, id: child.resourceId)
            }
            await expectInventoryError(.failedPrecondition, messageContains: "1 child regions") {
                try await store.deleteRegion(tenant: tenant, id: top.resourceId)
            }
            _ = try await store.createHost(tenant: tenant, HostResource(name: "h", siteId: site.resourceId))
            await expectInventoryError(.failedPrecondition, messageContains: "1 hosts") {
                try await store.deleteSite(tenant: tenant, id: site.resourceId)
            }
            await expectInventoryError(.invalidArgument, field: "siteLat") {
                _ = try await store.createSite(tenant: tenant, Site(name: "north", siteLat: 900_000_001))
            }
        }
    }

    @Test("hosts: UUID lookup, uniqueness, validation", arguments: backends)
    func hosts(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 2)
            let tenant = fleet.tenant
            let found = try await store.host(tenant: tenant, uuid: Fixtures.uuid(1).uppercased())
            #expect(found?.resourceId == fleet.hosts[1].resourceId)
            #expect(try await store.host(tenant: tenant, uuid: Fixtures.uuid(9)) == nil)
            await expectInventoryError(.failedPrecondition, field: "uuid") {
                _ = try await store.createHost(tenant: tenant, HostResource(name: "dup", uuid: Fixtures.uuid(0)))
            }
            await expectInventoryError(.invalidArgument, field: "uuid") {
                _ = try await store.createHost(tenant: tenant, HostResource(name: "bad", uuid: "1234"))
            }
            await expectInventoryError(.invalidArgument, field: "name") {
                _ = try await store.createHost(tenant: tenant, HostResource(name: ""))
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createHost(tenant: tenant, HostResource(name: "x", siteId: "site-00000000"))
            }
            var moved = fleet.hosts[0]
            moved.name = "edge-renamed"
            moved.siteId = nil
            #expect(try await store.updateHost(tenant: tenant, moved).siteId == nil)
            await expectInventoryError(.failedPrecondition, messageContains: "instance") {
                try await store.deleteHost(tenant: tenant, id: fleet.hosts[0].resourceId)
            }
        }
    }

    @Test("instances: one per host, references checked, delete removes runs", arguments: backends)
    func instances(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 2)
            let tenant = fleet.tenant
            await expectInventoryError(.failedPrecondition, field: "hostID") {
                _ = try await store.createInstance(
                    tenant: tenant,
                    Instance(hostId: fleet.hosts[0].resourceId, osId: fleet.os.resourceId)
                )
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createInstance(
                    tenant: tenant,
                    Instance(hostId: fleet.hosts[0].resourceId, osId: "os-00000000")
                )
            }
            let byHost = try await store.instances(tenant: tenant, hostIds: fleet.hosts.map(\.resourceId))
            #expect(byHost.count == 2)
            #expect(byHost[fleet.hosts[1].resourceId]?.resourceId == fleet.instances[1].resourceId)
            let instance = fleet.instances[0]
            _ = try await store.createRun(
                tenant: tenant,
                OSUpdateRun(name: "r", instanceId: instance.resourceId, status: "Updating", startTime: 10)
            )
            try await store.deleteInstance(tenant: tenant, id: instance.resourceId)
            #expect(try await store.runs(tenant: tenant, .all).totalElements == 0)
            #expect(try await store.instance(tenant: tenant, hostId: fleet.hosts[0].resourceId) == nil)
            try await store.deleteHost(tenant: tenant, id: fleet.hosts[0].resourceId)
        }
    }

    @Test("instance reports: only the reported fields change, the rest is kept", arguments: backends)
    func instanceReports(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            let newer = try await store.createOSResource(
                tenant: tenant,
                Fixtures.immutableOS(version: "3.0.20260202.0100")
            )
            // An operator renames the instance after the poll read it: the report must not undo that.
            var renamed = fleet.instances[0]
            renamed.name = "renamed-by-operator"
            _ = try await store.updateInstance(tenant: tenant, renamed)
            let status = StatusTriplet(status: "Updating", indicator: .inProgress, timestamp: 42)
            try await store.recordInstanceReport(
                tenant: tenant,
                InstanceReport(
                    instanceId: renamed.resourceId,
                    updateStatus: status,
                    osUpdateAvailable: "newer image"
                )
            )
            var stored = try await store.instance(tenant: tenant, id: renamed.resourceId)
            #expect(stored.name == "renamed-by-operator")
            #expect(stored.updateStatus == status && stored.osUpdateAvailable == "newer image")
            #expect(stored.osId == fleet.os.resourceId && stored.existingCves == fleet.instances[0].existingCves)

            // After an immutable update: the OS and its CVEs switch.
            try await store.recordInstanceReport(
                tenant: tenant,
                InstanceReport(
                    instanceId: renamed.resourceId,
                    updateStatus: StatusTriplet(status: "Updated", indicator: .idle, timestamp: 43),
                    osUpdateAvailable: "",
                    osId: newer.resourceId,
                    existingCves: "[\"CVE-1\"]"
                )
            )
            stored = try await store.instance(tenant: tenant, id: renamed.resourceId)
            #expect(stored.osId == newer.resourceId && stored.existingCves == "[\"CVE-1\"]")
            #expect(stored.updateStatus.timestamp == 43 && stored.name == "renamed-by-operator")

            // A missing instance is 404, an OS that does not exist is refused, a bad field is named; nothing changes.
            await expectInventoryError(.notFound) {
                try await store.recordInstanceReport(
                    tenant: tenant,
                    InstanceReport(instanceId: "inst-0000ffff", updateStatus: status, osUpdateAvailable: "")
                )
            }
            await expectInventoryError(.invalidArgument, field: "osUpdateAvailable") {
                try await store.recordInstanceReport(
                    tenant: tenant,
                    InstanceReport(
                        instanceId: renamed.resourceId,
                        updateStatus: status,
                        osUpdateAvailable: String(repeating: "x", count: 500_001)
                    )
                )
            }
            do {
                try await store.recordInstanceReport(
                    tenant: tenant,
                    InstanceReport(
                        instanceId: renamed.resourceId,
                        updateStatus: status,
                        osUpdateAvailable: "",
                        osId: "os-0000ffff"
                    )
                )
                Issue.record("a report naming an OS that does not exist was written")
            } catch {}
            #expect(try await store.instance(tenant: tenant, id: renamed.resourceId) == stored)
            // Another project's instance is not found either.
            let other = try await store.createProject(name: "other", id: nil).id
            await expectInventoryError(.notFound) {
                try await store.recordInstanceReport(
                    tenant: other,
                    InstanceReport(instanceId: renamed.resourceId, updateStatus: status, osUpdateAvailable: "")
                )
            }
        }
    }

    @Test("OS resources: unique name and image, immutable name, delete guarded", arguments: backends)
    func operatingSystems(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            await expectInventoryError(.failedPrecondition, field: "name") {
                var copy = Fixtures.immutableOS(version: "9.9")
                copy.name = fleet.os.name
                _ = try await store.createOSResource(tenant: tenant, copy)
            }
            await expectInventoryError(.failedPrecondition, field: "imageId") {
                var copy = Fixtures.immutableOS(version: fleet.os.imageId)
                copy.name = "another name"
                _ = try await store.createOSResource(tenant: tenant, copy)
            }
            await expectInventoryError(.invalidArgument, field: "sha256") {
                var bad = Fixtures.immutableOS(version: "9.8")
                bad.sha256 = "XYZ"
                _ = try await store.createOSResource(tenant: tenant, bad)
            }
            await expectInventoryError(.invalidArgument, field: "osType") {
                var bad = Fixtures.immutableOS(version: "9.7")
                bad.osType = .unspecified
                _ = try await store.createOSResource(tenant: tenant, bad)
            }
            var renamed = fleet.os
            renamed.name = "new name"
            await expectInventoryError(.invalidArgument, field: "name") {
                _ = try await store.updateOSResource(tenant: tenant, renamed)
            }
            var patched = fleet.os
            patched.architecture = "aarch64"
            #expect(try await store.updateOSResource(tenant: tenant, patched).architecture == "aarch64")
            await expectInventoryError(.failedPrecondition, messageContains: "1 instances run it") {
                try await store.deleteOSResource(tenant: tenant, id: fleet.os.resourceId)
            }
            let spare = try await store.createOSResource(tenant: tenant, Fixtures.mutableOS())
            try await store.deleteOSResource(tenant: tenant, id: spare.resourceId)
            await expectInventoryError(.notFound) {
                _ = try await store.osResource(tenant: tenant, id: spare.resourceId)
            }
        }
    }

    @Test("policies: type rules, link guard on delete, runs keep history", arguments: backends)
    func policies(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            await expectInventoryError(.invalidArgument, field: "updatePolicy") {
                _ = try await store.createPolicy(tenant: tenant, OSUpdatePolicy(name: "p", updatePolicy: .unspecified))
            }
            await expectInventoryError(.invalidArgument, messageContains: "With Policy LATEST") {
                _ = try await store.createPolicy(
                    tenant: tenant,
                    OSUpdatePolicy(name: "p", updatePackages: "curl", updatePolicy: .latest)
                )
            }
            await expectInventoryError(.invalidArgument, messageContains: "mutually exclusive") {
                _ = try await store.createPolicy(
                    tenant: tenant,
                    OSUpdatePolicy(
                        name: "p",
                        updatePackages: "curl",
                        targetOsId: fleet.os.resourceId,
                        updatePolicy: .target
                    )
                )
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createPolicy(
                    tenant: tenant,
                    OSUpdatePolicy(name: "p", targetOsId: "os-00000000", updatePolicy: .target)
                )
            }
            let policy = try await store.createPolicy(
                tenant: tenant,
                OSUpdatePolicy(
                    name: "ubuntu-pkgs",
                    updateSources: ["Types: deb\nURIs: https://example.org/ubuntu\nSuites: jammy\nComponents: main"],
                    updatePackages: "tree\ncurl",
                    updateKernelCommand: "hugepages=2",
                    updatePolicy: .target
                )
            )
            #expect(try await store.policy(tenant: tenant, id: policy.resourceId) == policy)
            var linked = fleet.instances[0]
            linked.osUpdatePolicyId = policy.resourceId
            linked = try await store.updateInstance(tenant: tenant, linked)
            let run = try await store.createRun(
                tenant: tenant,
                OSUpdateRun(name: "r", appliedPolicyId: policy.resourceId, instanceId: linked.resourceId, startTime: 5)
            )
            await expectInventoryError(
                .failedPrecondition,
                messageContains:
                    "Cannot delete OS Update Policy \(policy.resourceId), it is still referenced by 1 instances"
            ) {
                try await store.deletePolicy(tenant: tenant, id: policy.resourceId)
            }
            linked.osUpdatePolicyId = nil
            _ = try await store.updateInstance(tenant: tenant, linked)
            try await store.deletePolicy(tenant: tenant, id: policy.resourceId)
            #expect(try await store.run(tenant: tenant, id: run.resourceId).appliedPolicyId == nil)
        }
    }

    @Test("runs: open run found, closing it, immutable start", arguments: backends)
    func runs(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            let instance = fleet.instances[0].resourceId
            #expect(try await store.openRun(tenant: tenant, instanceId: instance) == nil)
            var run = try await store.createRun(
                tenant: tenant,
                OSUpdateRun(name: "edge-0 update", instanceId: instance, status: "Updating", startTime: 100)
            )
            #expect(run.isOpen)
            #expect(try await store.openRun(tenant: tenant, instanceId: instance)?.resourceId == run.resourceId)
            run.status = "Update completed"
            run.statusIndicator = .idle
            run.endTime = 200
            run = try await store.updateRun(tenant: tenant, run)
            #expect(try await store.openRun(tenant: tenant, instanceId: instance) == nil)
            run.startTime = 1
            await expectInventoryError(.invalidArgument, field: "instance") {
                _ = try await store.updateRun(tenant: tenant, run)
            }
            try await store.deleteRun(tenant: tenant, id: run.resourceId)
            await expectInventoryError(.notFound) { try await store.deleteRun(tenant: tenant, id: run.resourceId) }
        }
    }

    @Test("IDs: a wrong or unknown prefix is 400, a missing resource 404", arguments: backends)
    func identifiers(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let tenant = try await store.createProject(name: "acme", id: nil).id
            await expectInventoryError(.invalidArgument, field: "resourceId") {
                _ = try await store.host(tenant: tenant, id: "site-12345678")
            }
            await expectInventoryError(.invalidArgument, field: "resourceId") {
                _ = try await store.host(tenant: tenant, id: "host-XYZ")
            }
            await expectInventoryError(.notFound) { _ = try await store.host(tenant: tenant, id: "host-12345678") }
            await expectInventoryError(.notFound) {
                try await store.deleteSingleSchedule(tenant: tenant, id: "singlesche-12345678")
            }
            await expectInventoryError(.invalidArgument) {
                try await store.deleteRepeatedSchedule(tenant: tenant, id: "singlesche-12345678")
            }
        }
    }

    @Test("configuration generation: every configuration write counts, instance writes do not", arguments: backends)
    func configGeneration(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let other = try await Fixtures.fleet(in: store, name: "other", hosts: 1)
            let tenant = fleet.tenant
            var last = try await store.configGeneration(tenant: tenant)
            #expect(last > 0)
            /// Runs a write and returns whether the project's generation moved.
            func moves(_ write: () async throws -> Void) async throws -> Bool {
                try await write()
                let now = try await store.configGeneration(tenant: tenant)
                defer { last = now }
                return now > last
            }
            let lookup = try #require(try await store.hostAndInstance(tenant: tenant, uuid: fleet.hosts[0].uuid!))
            #expect(lookup.configGeneration == last)
            #expect(lookup.instance?.resourceId == fleet.instances[0].resourceId)

            #expect(try await moves { _ = try await store.createRegion(tenant: tenant, Region(name: "asia")) })
            var site = fleet.site
            site.name = "berlin-2"
            #expect(try await moves { _ = try await store.updateSite(tenant: tenant, site) })
            var host = fleet.hosts[0]
            host.name = "edge-renamed"
            #expect(try await moves { _ = try await store.updateHost(tenant: tenant, host) })
            let policy = OSUpdatePolicy(name: "p", updatePolicy: .latest)
            #expect(try await moves { _ = try await store.createPolicy(tenant: tenant, policy) })
            let os = Fixtures.immutableOS(version: "3.0.20260505.0100")
            #expect(try await moves { _ = try await store.createOSResource(tenant: tenant, os) })
            let weekly = RepeatedSchedule(name: "w", target: .site(fleet.site.resourceId), cronDayWeek: "1")
            var created: RepeatedSchedule?
            #expect(try await moves { created = try await store.createRepeatedSchedule(tenant: tenant, weekly) })
            let id = try #require(created).resourceId
            #expect(try await moves { try await store.deleteRepeatedSchedule(tenant: tenant, id: id) })

            // What polls write does not count; neither does another project's configuration.
            var instance = fleet.instances[0]
            instance.osUpdateAvailable = "something newer"
            #expect(try await !moves { _ = try await store.updateInstance(tenant: tenant, instance) })
            #expect(
                try await !moves {
                    _ = try await store.createRegion(tenant: other.tenant, Region(name: "elsewhere"))
                }
            )
            #expect(try await store.configGeneration(tenant: "00000000-0000-4000-8000-00000000dead") == 0)
        }
    }

    @Test("transactions: a throwing body leaves nothing behind", arguments: backends)
    func transactions(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await store.withTransaction { tx in
                    _ = try await tx.createRegion(tenant: tenant, Region(name: "doomed"))
                    _ = try await tx.createHost(tenant: tenant, HostResource(name: "doomed"))
                    throw Abort()
                }
            }
            // A batch whose last step is refused by a rule also leaves nothing.
            await expectInventoryError(.failedPrecondition) {
                try await store.withTransaction { tx in
                    let host = try await tx.createHost(tenant: tenant, HostResource(name: "batch-1"))
                    _ = try await tx.createInstance(
                        tenant: tenant,
                        Instance(hostId: host.resourceId, osId: fleet.os.resourceId)
                    )
                    _ = try await tx.createInstance(
                        tenant: tenant,
                        Instance(hostId: host.resourceId, osId: fleet.os.resourceId)
                    )
                }
            }
            #expect(try await store.regions(tenant: tenant, .all).totalElements == 2)
            #expect(try await store.hosts(tenant: tenant, .all).totalElements == 1)
            #expect(try await store.instances(tenant: tenant, .all).totalElements == 1)
        }
    }

    @Test("leases: one holder at a time, renewal, expiry", arguments: backends)
    func leases(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            #expect(try await store.acquireLease(name: "osrm", holder: "a", seconds: 30))
            #expect(try await store.acquireLease(name: "osrm", holder: "b", seconds: 30) == false)
            clock.advance(seconds: 20)
            #expect(try await store.acquireLease(name: "osrm", holder: "a", seconds: 30))
            clock.advance(seconds: 20)
            #expect(try await store.acquireLease(name: "osrm", holder: "b", seconds: 30) == false)
            clock.advance(seconds: 11)
            #expect(try await store.acquireLease(name: "osrm", holder: "b", seconds: 30))
            try await store.releaseLease(name: "osrm", holder: "a")
            #expect(try await store.acquireLease(name: "osrm", holder: "a", seconds: 30) == false)
            try await store.releaseLease(name: "osrm", holder: "b")
            #expect(try await store.acquireLease(name: "osrm", holder: "a", seconds: 30))
        }
    }
}
