import Day2Model
import Foundation
import Inventory
import Logging
import ProcessResources

/// `day2-orchestrator bench store`: the Inventory's hot paths on a large synthetic fleet.
///
/// Seeds one project with `hosts` hosts (each with an instance) spread over sites and a two-level region tree,
/// plus `schedules` schedules on sites and regions, then measures, against a `SELECT 1` on the same store:
/// the Maintenance Manager's hot path (host by UUID + its instance + its inherited schedules) and a filtered
/// page of 100 hosts.
public struct StoreBenchmark: Sendable {
    /// Hosts to create.
    public var hosts: Int = 100_000
    /// Schedules to create (half single, half repeated; on sites and regions).
    public var schedules: Int = 1_000
    /// Sites to spread hosts over.
    public var sites: Int = 1_000
    /// Measuring time per operation.
    public var seconds: Int = 5
    /// Concurrent workers (the machine's cores).
    public var workers: Int = 2

    /// Creates a benchmark with the default sizes.
    public init() {}

    /// Seeds and measures on `store`, printing each figure through `report`.
    public func run(store: some InventoryStore, label: String, report: @Sendable (String) -> Void) async throws {
        let clock = ContinuousClock()
        let seedStart = clock.now
        let fleet = try await seed(store: store, report: report)
        report(
            "seeded \(hosts) hosts, \(fleet.siteIds.count) sites, \(schedules) schedules in \(String(format: "%.1f", (clock.now - seedStart).seconds)) s"
        )

        let duration = Duration.seconds(seconds)
        let tenant = fleet.tenant
        let baseline = try await BenchmarkStats.measure("SELECT 1 (baseline)", workers: workers, duration: duration) {
            _ in
            try await store.ping()
        }
        let hotPath = try await BenchmarkStats.measure(
            "host by UUID + instance + schedules",
            workers: workers,
            duration: duration
        ) { iteration in
            let index = (iteration &* 7919) % fleet.hostCount
            guard let host = try await store.host(tenant: tenant, uuid: Self.uuid(index)) else {
                throw InventoryError(.internal, "benchmark host \(index) missing")
            }
            _ = try await store.instance(tenant: tenant, hostId: host.resourceId)
            let found = try await store.schedules(tenant: tenant, hostId: host.resourceId)
            if found.single.isEmpty && found.repeated.isEmpty {
                throw InventoryError(.internal, "benchmark host \(index) inherited no schedule")
            }
        }
        let hostIds = try await store.hosts(tenant: tenant, try ListQuery(pageSize: 100)).items.map(\.resourceId)
        let parts = [
            try await BenchmarkStats.measure("  part: host by UUID", workers: workers, duration: duration / 3) { i in
                _ = try await store.host(tenant: tenant, uuid: Self.uuid((i &* 7919) % fleet.hostCount))
            },
            try await BenchmarkStats.measure("  part: instance of host", workers: workers, duration: duration / 3) {
                i in
                _ = try await store.instance(tenant: tenant, hostId: hostIds[i % hostIds.count])
            },
            try await BenchmarkStats.measure("  part: inherited schedules", workers: workers, duration: duration / 3) {
                i in
                _ = try await store.schedules(tenant: tenant, hostId: hostIds[i % hostIds.count])
            },
        ]
        let page = try await BenchmarkStats.measure(
            "filtered page of 100 hosts",
            workers: workers,
            duration: duration
        ) { iteration in
            let site = fleet.siteIds[(iteration &* 31) % fleet.siteIds.count]
            let query = try ListQuery(
                filter: "site.resourceId=\"\(site)\" AND NOT has(instance.osUpdatePolicy)",
                pageSize: 100
            )
            let result = try await store.hosts(tenant: tenant, query)
            if result.items.isEmpty { throw InventoryError(.internal, "benchmark page empty") }
        }
        let scan = try await BenchmarkStats.measure(
            "page of hosts by name substring",
            workers: workers,
            duration: duration
        ) { iteration in
            let query = try ListQuery(filter: "name=\"edge-\((iteration &* 37) % fleet.hostCount)\"", pageSize: 100)
            if try await store.hosts(tenant: tenant, query).items.isEmpty {
                throw InventoryError(.internal, "no match")
            }
        }
        let memory = ProcessUsage.now().residentMiB
        report("")
        report("store: \(label)   workers: \(workers)   \(seconds) s per operation")
        for stats in [baseline, hotPath] + parts + [page, scan] { report(stats.line) }
        report(String(format: "hot path / SELECT 1 ratio: %.2f", hotPath.throughput / max(baseline.throughput, 1)))
        report(String(format: "filtered page / SELECT 1 ratio: %.3f", page.throughput / max(baseline.throughput, 1)))
        report(String(format: "memory: RSS %.0f MiB, peak %.0f MiB", memory.current, memory.peak))
    }

    /// The deterministic UUID of benchmark host `index`.
    public static func uuid(_ index: Int) -> String {
        String(format: "%08x-0000-4000-8000-%012x", index, index)
    }

    /// A newer image of the seeded fleet's profile, so that a LATEST policy offers every host an update.
    public static func publishNewerImage(store: some InventoryStore, tenant: String) async throws {
        _ = try await store.createOSResource(
            tenant: tenant,
            OSResource(
                name: "Edge Microvisor Toolkit 3.0.20260201",
                imageUrl: "files/edge-readonly-3.0.20260201.raw.gz",
                imageId: "3.0.20260201.0000",
                sha256: String(repeating: "b", count: 64),
                profileName: "microvisor-nonrt",
                osType: .immutable
            )
        )
    }

    /// The seeded fleet: its project, host count and sites.
    public struct Fleet: Sendable {
        /// The project's UUID.
        public var tenant: String
        /// How many hosts (UUIDs `uuid(0..<hostCount)`).
        public var hostCount: Int
        /// The sites.
        public var siteIds: [String]
    }

    /// Seeds the synthetic fleet (see the type's documentation) and returns it.
    public func seed(store: some InventoryStore, report: @Sendable (String) -> Void) async throws -> Fleet {
        let project = try await store.createProject(name: "bench-\(UInt32.random(in: 0...UInt32.max))", id: nil)
        let tenant = project.id
        var leafRegions: [String] = []
        var allRegions: [String] = []
        for top in 0..<10 {
            let parent = try await store.createRegion(tenant: tenant, Region(name: "region-\(top)"))
            allRegions.append(parent.resourceId)
            for child in 0..<10 {
                let region = try await store.createRegion(
                    tenant: tenant,
                    Region(name: "region-\(top)-\(child)", parentRegionId: parent.resourceId)
                )
                leafRegions.append(region.resourceId)
                allRegions.append(region.resourceId)
            }
        }
        // Every site holds at least two hosts, one with a policy and one without (the filtered page needs both).
        let siteCount = max(1, min(sites, hosts / 2))
        let leaves = leafRegions
        let regionIds = allRegions
        let siteIds = try await store.withTransaction { tx in
            var ids: [String] = []
            for index in 0..<siteCount {
                let site = try await tx.createSite(
                    tenant: tenant,
                    Site(name: "site-\(index)", regionId: leaves[index % leaves.count])
                )
                ids.append(site.resourceId)
            }
            return ids
        }
        let os = try await store.createOSResource(
            tenant: tenant,
            OSResource(
                name: "Edge Microvisor Toolkit 3.0.20260101",
                imageUrl: "files/edge-readonly-3.0.20260101.raw.gz",
                imageId: "3.0.20260101.0000",
                sha256: String(repeating: "a", count: 64),
                profileName: "microvisor-nonrt",
                osType: .immutable
            )
        )
        let policy = try await store.createPolicy(
            tenant: tenant,
            OSUpdatePolicy(name: "latest", updatePolicy: .latest)
        )
        let batch = 2_000
        for start in stride(from: 0, to: hosts, by: batch) {
            let end = min(start + batch, hosts)
            try await store.withTransaction { tx in
                for index in start..<end {
                    let host = try await tx.createHost(
                        tenant: tenant,
                        HostResource(
                            name: "edge-\(index)",
                            uuid: Self.uuid(index),
                            siteId: siteIds[index % siteIds.count]
                        )
                    )
                    _ = try await tx.createInstance(
                        tenant: tenant,
                        Instance(
                            name: "edge-\(index)",
                            hostId: host.resourceId,
                            osId: os.resourceId,
                            provisioningStatus: StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: 0),
                            osUpdatePolicyId: (index / siteIds.count) % 2 == 0 ? policy.resourceId : nil
                        )
                    )
                }
            }
            if end % 20_000 == 0 { report("  seeded \(end) hosts") }
        }
        let now = Int64(Date().timeIntervalSince1970)
        let scheduleCount = schedules
        try await store.withTransaction { tx in
            for index in 0..<scheduleCount {
                let target: ScheduleTarget =
                    index % 4 == 3 ? .region(regionIds[index % regionIds.count]) : .site(siteIds[index % siteIds.count])
                if index % 2 == 0 {
                    _ = try await tx.createSingleSchedule(
                        tenant: tenant,
                        SingleSchedule(
                            name: "single-\(index)",
                            target: target,
                            startSeconds: now + 3600 + Int64(index),
                            endSeconds: now + 7200 + Int64(index)
                        )
                    )
                } else {
                    _ = try await tx.createRepeatedSchedule(
                        tenant: tenant,
                        RepeatedSchedule(
                            name: "weekly-\(index)",
                            target: target,
                            cronMinutes: "0",
                            cronHours: "\(index % 24)"
                        )
                    )
                }
            }
        }
        // Every host inherits at least one schedule: put one on each top region.
        for region in allRegions where !leafRegions.contains(region) {
            _ = try await store.createRepeatedSchedule(
                tenant: tenant,
                RepeatedSchedule(name: "nightly", target: .region(region), cronMinutes: "0", cronHours: "2")
            )
        }
        return Fleet(tenant: tenant, hostCount: hosts, siteIds: siteIds)
    }
}
