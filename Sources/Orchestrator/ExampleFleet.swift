import Day2Model
import Foundation
import Inventory
import Logging

/// A small, realistic fleet for trying Day2 out and for end-to-end tests.
///
/// One region and site; an immutable (A/B) node running image 3.0.20260101.0100 with a LATEST policy while
/// 3.0.20260202.0100 is published; a mutable Ubuntu node with a TARGET policy adding packages; and a one-hour
/// OS-update window on the site starting a minute from now. Instances are registered as provisioned.
public enum ExampleFleet {
    /// What was created, for scripts (printed as JSON by `day2-orchestrator seed example`).
    public struct Summary: Codable, Sendable {
        /// Project name and UUID.
        public var projectName: String
        public var projectId: String
        /// The immutable node.
        public var immutableHostUUID: String
        public var immutableHostId: String
        public var immutableInstanceId: String
        /// The image it runs and the newer one it should get.
        public var currentImageId: String
        public var newerImageId: String
        public var newerOSId: String
        public var profileName: String
        /// The mutable node.
        public var mutableHostUUID: String
        public var mutableHostId: String
        public var mutableInstanceId: String
        /// The mutable node's policy contents.
        public var packages: String
        public var kernelCommand: String
        /// The maintenance window.
        public var windowStart: Int64
        public var windowEnd: Int64
    }

    static let provisioned = StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: 0)

    /// Creates the fleet in project `projectName` (created if missing).
    public static func seed(store: some InventoryStore, projectName: String, now: Date = Date()) async throws -> Summary
    {
        let project: Project
        if let existing = try await store.project(named: projectName) {
            project = existing
        } else {
            project = try await store.createProject(name: projectName, id: nil)
        }
        let tenant = project.id
        let nowSeconds = Int64(now.timeIntervalSince1970)
        return try await store.withTransaction { store in
            let region = try await store.createRegion(tenant: tenant, Region(name: "example-region"))
            let site = try await store.createSite(
                tenant: tenant,
                Site(name: "example-site", regionId: region.resourceId)
            )
            let profile = "microvisor-nonrt"
            func image(_ version: String, sha: String) -> OSResource {
                OSResource(
                    name: "Edge Microvisor Toolkit \(version)",
                    architecture: "x86_64",
                    imageUrl: "files-edge-orch/repository/microvisor/non_rt/edge-readonly-\(version)-signed.raw.gz",
                    imageId: version,
                    sha256: String(repeating: sha, count: 64),
                    profileName: profile,
                    profileVersion: "1.0.0",
                    securityFeature: .none,
                    osType: .immutable,
                    osProvider: .infra
                )
            }
            let current = try await store.createOSResource(tenant: tenant, image("3.0.20260101.0100", sha: "a"))
            let newer = try await store.createOSResource(tenant: tenant, image("3.0.20260202.0100", sha: "b"))
            let ubuntu = try await store.createOSResource(
                tenant: tenant,
                OSResource(
                    name: "Ubuntu 22.04.5 LTS",
                    architecture: "x86_64",
                    imageUrl:
                        "https://cloud-images.ubuntu.com/releases/jammy/release/ubuntu-22.04-server-cloudimg-amd64.img",
                    imageId: "22.04.5",
                    sha256: String(repeating: "c", count: 64),
                    profileName: "ubuntu-22.04-lts-generic",
                    securityFeature: .none,
                    osType: .mutable,
                    osProvider: .infra
                )
            )
            let latest = try await store.createPolicy(
                tenant: tenant,
                OSUpdatePolicy(name: "emt-latest", description: "newest image of the profile", updatePolicy: .latest)
            )
            let packages = "tree\ncurl"
            let kernel = "hugepages=2"
            let ubuntuPolicy = try await store.createPolicy(
                tenant: tenant,
                OSUpdatePolicy(
                    name: "ubuntu-tools",
                    description: "add tools",
                    updatePackages: packages,
                    updateKernelCommand: kernel,
                    updatePolicy: .target
                )
            )
            let immutableUUID = "5a3c9d2e-0001-4000-8000-00000000e001"
            let mutableUUID = "5a3c9d2e-0002-4000-8000-00000000e002"
            let emtHost = try await store.createHost(
                tenant: tenant,
                HostResource(name: "emt-node-1", uuid: immutableUUID, siteId: site.resourceId)
            )
            let emtInstance = try await store.createInstance(
                tenant: tenant,
                Instance(
                    name: "emt-node-1",
                    hostId: emtHost.resourceId,
                    osId: current.resourceId,
                    provisioningStatus: provisioned,
                    osUpdatePolicyId: latest.resourceId
                )
            )
            let ubuntuHost = try await store.createHost(
                tenant: tenant,
                HostResource(name: "ubuntu-node-1", uuid: mutableUUID, siteId: site.resourceId)
            )
            let ubuntuInstance = try await store.createInstance(
                tenant: tenant,
                Instance(
                    name: "ubuntu-node-1",
                    hostId: ubuntuHost.resourceId,
                    osId: ubuntu.resourceId,
                    provisioningStatus: provisioned,
                    osUpdatePolicyId: ubuntuPolicy.resourceId
                )
            )
            let window = try await store.createSingleSchedule(
                tenant: tenant,
                SingleSchedule(
                    name: "example-window",
                    scheduleStatus: .osUpdate,
                    target: .site(site.resourceId),
                    startSeconds: nowSeconds + 60,
                    endSeconds: nowSeconds + 3660
                )
            )
            return Summary(
                projectName: project.name,
                projectId: tenant,
                immutableHostUUID: immutableUUID,
                immutableHostId: emtHost.resourceId,
                immutableInstanceId: emtInstance.resourceId,
                currentImageId: current.imageId,
                newerImageId: newer.imageId,
                newerOSId: newer.resourceId,
                profileName: profile,
                mutableHostUUID: mutableUUID,
                mutableHostId: ubuntuHost.resourceId,
                mutableInstanceId: ubuntuInstance.resourceId,
                packages: packages,
                kernelCommand: kernel,
                windowStart: window.startSeconds,
                windowEnd: window.endSeconds ?? 0
            )
        }
    }

    /// Opens the configured store, seeds it, and returns the summary as JSON.
    public static func seed(configuration: OrchestratorConfiguration, logger: Logger) async throws -> String {
        let summary: Summary = try await StoreOpener.withStore(configuration: configuration, logger: logger) { store in
            try await OrchestratorService.ensureDefaultProject(
                configuration.defaultProject,
                store: store,
                logger: logger
            )
            return try await seed(
                store: store,
                projectName: configuration.defaultProject.isEmpty ? "default" : configuration.defaultProject
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }
}
