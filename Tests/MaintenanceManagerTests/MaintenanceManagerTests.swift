import Day2Model
import Day2Testing
import Foundation
import Inventory
import Logging
import Testing

@testable import MaintenanceManager

/// A project with one immutable node (two images of its profile) and one mutable node, and a handler on a manual clock.
struct MMWorld {
    let store: any InventoryStore
    let clock: ManualClock
    let tenant: String
    let fleet: Fixtures.Fleet
    let newerOS: OSResource
    let mutableHost: HostResource
    let mutableInstance: Instance
    /// The handler (generic over the concrete store, opened once in `make`).
    let handle: @Sendable (String, PollRequest) async throws(MaintenanceManagerError) -> PollResponse
    /// The commit-deadline sweep of the same handler.
    let closeStaleRuns: @Sendable () async throws -> Int

    var immutableHost: HostResource { fleet.hosts[0] }
    var immutableInstance: Instance { fleet.instances[0] }

    static func make<S: InventoryStore>(store: S, clock: ManualClock) async throws -> MMWorld {
        let fleet = try await Fixtures.fleet(in: store, hosts: 1)
        let tenant = fleet.tenant
        let newer = try await store.createOSResource(tenant: tenant, Fixtures.immutableOS(version: "3.0.20260202.0100"))
        let ubuntu = try await store.createOSResource(tenant: tenant, Fixtures.mutableOS())
        let host = try await store.createHost(
            tenant: tenant,
            HostResource(name: "ubuntu-node", uuid: Fixtures.uuid(50), siteId: fleet.site.resourceId)
        )
        let instance = try await store.createInstance(
            tenant: tenant,
            Instance(
                name: "ubuntu-node",
                hostId: host.resourceId,
                osId: ubuntu.resourceId,
                provisioningStatus: provisioned
            )
        )
        var immutable = fleet.instances[0]
        immutable.provisioningStatus = provisioned
        immutable = try await store.updateInstance(tenant: tenant, immutable)
        var fixed = fleet
        fixed.instances[0] = immutable
        let mm = MaintenanceManager(store: store, now: clock.source, logger: Logger(label: "test.mm"))
        return MMWorld(
            store: store,
            clock: clock,
            tenant: tenant,
            fleet: fixed,
            newerOS: newer,
            mutableHost: host,
            mutableInstance: instance,
            handle: { (tenant, request) throws(MaintenanceManagerError) in try await mm.poll(tenant: tenant, request) },
            closeStaleRuns: { try await mm.closeStaleRuns() }
        )
    }

    static let provisioned = StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: 1)

    func poll(
        _ host: HostResource,
        _ status: AgentStatus?,
        detail: String = "",
        profile: String = "",
        image: String = "",
        available: String = ""
    ) async throws(MaintenanceManagerError) -> PollResponse {
        try await handle(
            tenant,
            PollRequest(
                hostGUID: host.uuid!,
                status: status,
                statusDetail: detail,
                profileName: profile,
                osImageId: image,
                osUpdateAvailable: available
            )
        )
    }

    func link(_ instance: Instance, _ policy: OSUpdatePolicy) async throws {
        let created = try await store.createPolicy(tenant: tenant, policy)
        var linked = try await store.instance(tenant: tenant, id: instance.resourceId)
        linked.osUpdatePolicyId = created.resourceId
        _ = try await store.updateInstance(tenant: tenant, linked)
    }

    func instance(_ instance: Instance) async throws -> Instance {
        try await store.instance(tenant: tenant, id: instance.resourceId)
    }

    func runs(_ instance: Instance) async throws -> [OSUpdateRun] {
        try await store.runs(
            tenant: tenant,
            try ListQuery(filter: "instance.resourceId=\"\(instance.resourceId)\"", orderBy: "startTime")
        )
        .items
    }
}

func expectMMError(
    _ code: MaintenanceManagerError.Code,
    _ body: () async throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        try await body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as MaintenanceManagerError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Maintenance Manager handler")
struct MaintenanceManagerTests {
    @Test("bad requests, unknown hosts, untrusted and unprovisioned nodes", arguments: backends)
    func rejections(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            await expectMMError(.invalidArgument) {
                _ = try await world.handle(world.tenant, PollRequest(hostGUID: "nope", status: .upToDate))
            }
            await expectMMError(.invalidArgument) {
                _ = try await world.handle(world.tenant, PollRequest(hostGUID: Fixtures.uuid(0), status: nil))
            }
            await expectMMError(.invalidArgument) {
                _ = try await world.poll(world.immutableHost, .failed, detail: String(repeating: "x", count: 100_001))
            }
            await expectMMError(.notFound) {
                _ = try await world.handle(world.tenant, PollRequest(hostGUID: Fixtures.uuid(99), status: .upToDate))
            }
            let other = try await store.createProject(name: "other", id: nil)
            await expectMMError(.notFound) {
                _ = try await world.handle(other.id, PollRequest(hostGUID: Fixtures.uuid(0), status: .upToDate))
            }
            var untrusted = world.immutableHost
            untrusted.currentState = .untrusted
            _ = try await store.updateHost(tenant: world.tenant, untrusted)
            await expectMMError(.unauthenticated) { _ = try await world.poll(world.immutableHost, .upToDate) }
            var pending = try await world.instance(world.mutableInstance)
            pending.provisioningStatus = StatusTriplet(status: "Provisioning", indicator: .inProgress, timestamp: 1)
            _ = try await store.updateInstance(tenant: world.tenant, pending)
            await expectMMError(.failedPrecondition) { _ = try await world.poll(world.mutableHost, .upToDate) }
            // Nothing was written by any rejected poll.
            #expect(try await world.instance(world.immutableInstance).updateStatus == .empty)
        }
    }

    @Test(
        "schedules: closest single, all repeated, inherited, malformed and foreign kinds skipped",
        arguments: backends
    )
    func schedules(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let now = clock.unixSeconds
            let far = try await store.createSingleSchedule(
                tenant: world.tenant,
                SingleSchedule(
                    name: "far",
                    target: .host(world.immutableHost.resourceId),
                    startSeconds: now + 7200,
                    endSeconds: now + 9000
                )
            )
            let near = try await store.createSingleSchedule(
                tenant: world.tenant,
                SingleSchedule(
                    name: "near",
                    target: .site(world.fleet.site.resourceId),
                    startSeconds: now + 600,
                    endSeconds: now + 1200
                )
            )
            let weekly = try await store.createRepeatedSchedule(
                tenant: world.tenant,
                RepeatedSchedule(name: "weekly", target: .region(world.fleet.topRegion.resourceId), cronDayWeek: "0,6")
            )
            var response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule?.resourceId == near.resourceId)
            #expect(response.repeatedSchedules.map(\.resourceId) == [weekly.resourceId])
            clock.advance(seconds: 1300)  // "near" has ended; "far" is now the closest
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.singleSchedule?.resourceId == far.resourceId)
            #expect(response.osType == .immutable)
        }
    }

    @Test("immutable update: LATEST offer, run lifecycle, current OS switched, no re-offer", arguments: backends)
    func immutableUpdate(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            // No policy: no image, but the newer OS is announced as available.
            var response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == nil)
            var instance = try await world.instance(world.immutableInstance)
            #expect(instance.osUpdateAvailable == world.newerOS.name)
            #expect(instance.updateStatus.status == "No new updates available")

            try await world.link(world.immutableInstance, OSUpdatePolicy(name: "latest", updatePolicy: .latest))
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == ImageOffer(world.newerOS))
            #expect(
                response.kernelCommand.isEmpty && response.customRepos.isEmpty && response.installedPackages.isEmpty
            )

            for step in [AgentStatus.downloading, .downloaded, .started] {
                clock.advance(seconds: 30)
                _ = try await world.poll(world.immutableHost, step)
            }
            var runs = try await world.runs(world.immutableInstance)
            #expect(runs.count == 1)
            #expect(runs[0].status == "Updating")
            #expect(runs[0].isOpen)
            #expect(runs[0].appliedPolicyId != nil)
            #expect(runs[0].name.hasPrefix("edge-0 update "))

            clock.advance(seconds: 120)
            response = try await world.poll(
                world.immutableHost,
                .updated,
                profile: world.newerOS.profileName,
                image: world.newerOS.imageId
            )
            instance = try await world.instance(world.immutableInstance)
            #expect(instance.osId == world.newerOS.resourceId)
            #expect(instance.updateStatus.status == "Update completed")
            #expect(instance.osUpdateAvailable == "")
            runs = try await world.runs(world.immutableInstance)
            #expect(runs.count == 1)
            #expect(runs[0].status == "Update completed")
            #expect(runs[0].endTime == clock.unixSeconds)
            // LATEST never re-offers the image already running.
            #expect(response.image == nil)
            response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.image == nil)
            #expect(try await world.runs(world.immutableInstance).count == 1)
        }
    }

    @Test("a report with an unknown image still records the status; the OS stays", arguments: backends)
    func unknownImage(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            _ = try await world.poll(world.immutableHost, .started)
            _ = try await world.poll(world.immutableHost, .updated, profile: "microvisor-nonrt", image: "9.9.9")
            let instance = try await world.instance(world.immutableInstance)
            #expect(instance.updateStatus.status == "Update completed")
            #expect(instance.osId == world.immutableInstance.osId)
            #expect(try await world.runs(world.immutableInstance).first?.status == "Update completed")
        }
    }

    @Test("a run is opened even when STARTED was never seen; repeated FAILED adds nothing", arguments: backends)
    func runWithoutStarted(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            _ = try await world.poll(world.immutableHost, .upToDate)
            clock.advance(seconds: 20)
            _ = try await world.poll(
                world.immutableHost,
                .failed,
                detail: #"{"UpdateLog":[{"StatusDetail.Status":"FAIL"}]}"#
            )
            clock.advance(seconds: 20)
            _ = try await world.poll(world.immutableHost, .failed)
            let runs = try await world.runs(world.immutableInstance)
            #expect(runs.count == 1)
            #expect(runs[0].status == "Update failed")
            #expect(runs[0].statusIndicator == .error)
            #expect(runs[0].isOpen == false)
            #expect(runs[0].statusDetails.contains("UpdateLog"))
        }
    }

    @Test("mutable update: policy contents, package report kept, run with package count", arguments: backends)
    func mutableUpdate(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            let source =
                "Types: deb\nURIs: https://example.org/apt\nSuites: jammy\nComponents: main\nSigned-By: /etc/apt/k.gpg"
            try await world.link(
                world.mutableInstance,
                OSUpdatePolicy(
                    name: "pkgs",
                    updateSources: [source],
                    updatePackages: "tree\ncurl",
                    updateKernelCommand: "hugepages=2",
                    updatePolicy: .target
                )
            )
            let packages = #"[{"Name":"curl","Version":"8.5"}]"#
            var response = try await world.poll(world.mutableHost, .upToDate, available: packages)
            #expect(response.osType == .mutable)
            #expect(response.kernelCommand == "hugepages=2")
            #expect(response.customRepos == [source])
            #expect(response.installedPackages == "tree\ncurl")
            #expect(response.image == nil)
            #expect(try await world.instance(world.mutableInstance).osUpdateAvailable == packages)
            _ = try await world.poll(world.mutableHost, .started, available: packages)
            // The package list is not wiped by a status change.
            #expect(try await world.instance(world.mutableInstance).osUpdateAvailable == packages)
            let log = #"{"update_log":[{"package_name":"tree"},{"package_name":"curl"}]}"#
            response = try await world.poll(world.mutableHost, .updated, detail: log, available: "")
            let runs = try await world.runs(world.mutableInstance)
            #expect(runs.count == 1)
            #expect(runs[0].status == "Update completed - 2 package(s) updated/installed")
            #expect(runs[0].statusDetails == log)
            let instance = try await world.instance(world.mutableInstance)
            #expect(instance.osId == world.mutableInstance.osId)
            #expect(instance.osUpdateAvailable == "")
            #expect(response.installedPackages == "tree\ncurl")
        }
    }

    @Test("TARGET without target, immutable kernel-only, unchanged polls write nothing", arguments: backends)
    func policyShapes(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            try await world.link(
                world.immutableInstance,
                OSUpdatePolicy(name: "kernel", updateKernelCommand: "quiet", updatePolicy: .target)
            )
            let response = try await world.poll(world.immutableHost, .upToDate)
            #expect(response.kernelCommand == "quiet")
            #expect(response.image == nil)
            let before = try await world.instance(world.immutableInstance)
            clock.advance(seconds: 20)
            _ = try await world.poll(world.immutableHost, .upToDate)
            #expect(try await world.instance(world.immutableInstance).timestamps == before.timestamps)
        }
    }

    @Test("runs left open past the commit deadline are closed as failed", arguments: backends)
    func commitDeadline(backend: StoreBackend) async throws {
        let clock = ManualClock()
        try await backend.withStore(now: clock.source) { store in
            let world = try await MMWorld.make(store: store, clock: clock)
            _ = try await world.poll(world.immutableHost, .started)
            clock.advance(seconds: 3600)
            #expect(try await world.closeStaleRuns() == 0)
            clock.advance(seconds: 3601)
            #expect(try await world.closeStaleRuns() == 1)
            let run = try #require(try await world.runs(world.immutableInstance).first)
            #expect(run.status == "Update failed")
            #expect(run.statusDetails.contains("commit deadline"))
            #expect(run.isOpen == false)
            #expect(try await world.instance(world.immutableInstance).updateStatus.indicator == .error)
            #expect(try await world.closeStaleRuns() == 0)
        }
    }

    @Test("run names: 13 bytes of the host name and a UTC stamp")
    func runNames() {
        // 2030-03-17 17:46:40 UTC
        #expect(
            MaintenanceManager<SQLInventoryStore<SQLiteDatabase>>.runName(
                hostName: "a-very-long-hostname",
                now: 1_900_000_000
            )
                == "a-very-long-h update 20300317-174640"
        )
    }
}
