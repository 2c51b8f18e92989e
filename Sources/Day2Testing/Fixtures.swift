import Day2Model
import Foundation
import Inventory

/// Small builders for the resources tests need, with valid defaults.
public enum Fixtures {
    /// A UUID made from a number, e.g. for host `n`.
    public static func uuid(_ number: Int) -> String {
        String(format: "%08x-1111-4222-8333-%012x", number, number)
    }

    /// A 64-character hex digest made from a number.
    public static func sha(_ number: Int) -> String {
        String(repeating: String(format: "%02x", number % 256), count: 32)
    }

    /// An immutable (A/B) OS resource of profile `profile` at image version `version`.
    public static func immutableOS(profile: String = "microvisor-nonrt", version: String) -> OSResource {
        OSResource(
            name: "Edge Microvisor Toolkit \(version)",
            architecture: "x86_64",
            imageUrl: "files-edge-orch/repository/microvisor/non_rt/edge-readonly-\(version).raw.gz",
            imageId: version,
            sha256: sha(version.hashValue & 0xff),
            profileName: profile,
            securityFeature: .none,
            osType: .immutable,
            osProvider: .infra
        )
    }

    /// A mutable (apt) OS resource.
    public static func mutableOS(version: String = "22.04.5") -> OSResource {
        OSResource(
            name: "Ubuntu \(version)",
            architecture: "x86_64",
            imageUrl: "https://cloud-images.ubuntu.com/releases/jammy/ubuntu-\(version)-server-cloudimg-amd64.img",
            imageId: version,
            sha256: sha(7),
            profileName: "ubuntu-22.04-lts-generic",
            securityFeature: .none,
            osType: .mutable,
            osProvider: .infra
        )
    }

    /// A project with a region tree (top → child), a site in the child, and `hosts` hosts with instances on `os`.
    public struct Fleet: Sendable {
        /// The project.
        public var project: Project
        /// The top region.
        public var topRegion: Region
        /// The child region.
        public var childRegion: Region
        /// The site in the child region.
        public var site: Site
        /// The OS every instance runs.
        public var os: OSResource
        /// The hosts.
        public var hosts: [HostResource]
        /// Their instances, in the same order.
        public var instances: [Instance]

        /// The tenant ID.
        public var tenant: String { project.id }
    }

    /// Builds a small fleet in a new project called `name`.
    public static func fleet(
        in store: some InventoryStore,
        name: String = "acme",
        hosts count: Int = 3
    ) async throws
        -> Fleet
    {
        let project = try await store.createProject(name: name, id: nil)
        let tenant = project.id
        let top = try await store.createRegion(tenant: tenant, Region(name: "europe"))
        let child = try await store.createRegion(
            tenant: tenant,
            Region(name: "germany", parentRegionId: top.resourceId)
        )
        let site = try await store.createSite(tenant: tenant, Site(name: "berlin-1", regionId: child.resourceId))
        let os = try await store.createOSResource(tenant: tenant, immutableOS(version: "3.0.20260101.0100"))
        var hosts: [HostResource] = []
        var instances: [Instance] = []
        for index in 0..<count {
            let host = try await store.createHost(
                tenant: tenant,
                HostResource(name: "edge-\(index)", uuid: uuid(index), siteId: site.resourceId)
            )
            hosts.append(host)
            instances.append(
                try await store.createInstance(
                    tenant: tenant,
                    Instance(name: "edge-\(index)", hostId: host.resourceId, osId: os.resourceId)
                )
            )
        }
        return Fleet(
            project: project,
            topRegion: top,
            childRegion: child,
            site: site,
            os: os,
            hosts: hosts,
            instances: instances
        )
    }
}
