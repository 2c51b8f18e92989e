import Day2Model
import Foundation
import Inventory

/// The demo's inventory: regions, sites, hosts with provisioned instances, the two policies and the maintenance
/// windows, created through the store the orchestrator serves (as the REST API would create them).
public struct DemoFleet: Sendable {
    /// The project's ID.
    public var tenant: String
    /// The nodes, with their host and instance IDs.
    public var nodes: [DemoNode]
    /// The OS resource the immutable nodes run at start.
    public var olderOS: OSResource
    /// The OS resource the rollout installs on them.
    public var newerOS: OSResource
    /// The mutable nodes' OS resource.
    public var ubuntuOS: OSResource
    /// When the window opens (Unix seconds).
    public var windowStart: Int64
    /// When it closes.
    public var windowEnd: Int64
    /// The rollout that brings the newer image to the immutable nodes in waves (nil when there are none).
    public var rollout: Rollout?

    /// The OS update policy of the immutable nodes.
    public static let latestPolicy = "emt-latest"
    /// The OS update policy of the mutable nodes.
    public static let packagesPolicy = "ubuntu-packages"
    /// The packages the mutable nodes' policy adds.
    public static let packages = ["tree", "htop"]

    /// The demo's three OS resources, once the OS Resource Manager has created them from the Release Service.
    public static func operatingSystems(
        store: some InventoryStore,
        tenant: String
    ) async throws -> (older: OSResource, newer: OSResource, ubuntu: OSResource)? {
        let images = try await store.osResources(
            tenant: tenant,
            profileName: DemoRelease.immutableProfile,
            osType: .immutable
        )
        let ubuntu = try await store.osResources(
            tenant: tenant,
            profileName: DemoRelease.mutableProfile,
            osType: .mutable
        )
        guard let older = images.first(where: { $0.imageId == DemoRelease.olderVersion }),
            let newer = images.first(where: { $0.imageId == DemoRelease.newerVersion }),
            let mutable = ubuntu.first(where: { $0.imageId == DemoRelease.ubuntuVersion })
        else { return nil }
        return (older, newer, mutable)
    }

    /// Creates the fleet of `settings` in one transaction; the windows open `settings.windowDelaySeconds` after `now`.
    public static func create(
        store: some InventoryStore,
        tenant: String,
        settings: DemoSettings,
        operatingSystems: (older: OSResource, newer: OSResource, ubuntu: OSResource),
        now: Date = Date()
    ) async throws -> DemoFleet {
        let planned = DemoNode.plan(settings)
        let start = Int64((now.timeIntervalSince1970 + settings.windowDelaySeconds).rounded(.up))
        let end = start + Int64(settings.windowDurationSeconds)
        let provisioned = StatusTriplet(
            status: "Provisioned",
            indicator: .idle,
            timestamp: Int64(now.timeIntervalSince1970)
        )
        let (nodes, rollout) = try await store.withTransaction { store in
            let latest = try await store.createPolicy(
                tenant: tenant,
                OSUpdatePolicy(
                    name: latestPolicy,
                    description: "the newest Edge Microvisor Toolkit image",
                    updatePolicy: .latest
                )
            )
            let packages = try await store.createPolicy(
                tenant: tenant,
                OSUpdatePolicy(
                    name: packagesPolicy,
                    description: "add \(Self.packages.joined(separator: " and ")), upgrade the rest",
                    updatePackages: Self.packages.joined(separator: "\n"),
                    updatePolicy: .target
                )
            )
            var siteIds: [String: String] = [:]
            for entry in DemoNode.layout {
                let region = try await store.createRegion(tenant: tenant, Region(name: entry.region))
                for site in entry.sites {
                    siteIds[site] = try await store.createSite(
                        tenant: tenant,
                        Site(name: site, regionId: region.resourceId)
                    ).resourceId
                }
                _ = try await store.createSingleSchedule(
                    tenant: tenant,
                    SingleSchedule(
                        name: "demo-rollout-\(entry.region)",
                        scheduleStatus: .osUpdate,
                        target: .region(region.resourceId),
                        startSeconds: start,
                        endSeconds: end
                    )
                )
            }
            var created: [DemoNode] = []
            let provisionedLatest = latest
            for var node in planned {
                let host = try await store.createHost(
                    tenant: tenant,
                    HostResource(name: node.name, uuid: node.uuid, siteId: siteIds[node.site])
                )
                let immutable = node.kind == .immutable
                let instance = try await store.createInstance(
                    tenant: tenant,
                    Instance(
                        name: node.name,
                        hostId: host.resourceId,
                        osId: immutable ? operatingSystems.older.resourceId : operatingSystems.ubuntu.resourceId,
                        provisioningStatus: provisioned,
                        osUpdatePolicyId: immutable ? latest.resourceId : packages.resourceId
                    )
                )
                node.hostId = host.resourceId
                node.instanceId = instance.resourceId
                created.append(node)
            }
            let immutable = created.filter { $0.kind == .immutable }
            guard !immutable.isEmpty else { return (created, nil as Rollout?) }
            let rollout = try await store.createRollout(
                tenant: tenant,
                Rollout(
                    name: "emt \(DemoRelease.newerVersion)",
                    osUpdatePolicyId: provisionedLatest.resourceId,
                    target: .hosts(immutable.map(\.hostId)),
                    waves: waves(immutable: immutable.count, failing: settings.failNodes)
                )
            )
            // The failing nodes are the canary's: the rollout pauses after its first wave, as a real canary would.
            let canary = try await store.rolloutHosts(
                tenant: tenant,
                rolloutId: rollout.resourceId,
                try RolloutHostQuery(wave: 0)
            ).items.map(\.host.hostId)
            let failing = Set(canary.prefix(settings.failNodes))
            for index in created.indices where created[index].kind == .immutable {
                created[index].failsFirstBoot = failing.contains(created[index].hostId)
            }
            return (created, rollout)
        }
        return DemoFleet(
            tenant: tenant,
            nodes: nodes,
            olderOS: operatingSystems.older,
            newerOS: operatingSystems.newer,
            ubuntuOS: operatingSystems.ubuntu,
            windowStart: start,
            windowEnd: end,
            rollout: rollout
        )
    }

    /// The demo rollout's waves over `immutable` hosts: a canary (two hosts, or every failing one), then half of the
    /// rest, then the rest; fewer waves when there are too few hosts.
    public static func waves(immutable: Int, failing: Int) -> [RolloutWave] {
        let canary = min(immutable, max(2, failing))
        let rest = immutable - canary
        switch rest {
        case 0: return [RolloutWave(size: .percent(100))]
        case 1: return [RolloutWave(size: .hosts(canary)), RolloutWave(size: .percent(100))]
        default:
            return [
                RolloutWave(size: .hosts(canary)), RolloutWave(size: .hosts((rest + 1) / 2)),
                RolloutWave(size: .percent(100)),
            ]
        }
    }
}
