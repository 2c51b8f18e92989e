import Day2Model
import Inventory
import Logging
import Metrics

/// One reconcile of the OS resources of every project (or some) against their Release Service.
///
/// For each project it creates the OS resources its source publishes and the project lacks (keyed by profile name
/// and image ID), refreshes the CVE lists of the ones it has, and never deletes or otherwise changes an OS resource.
/// In automatic mode it also links the project's immutable instances that have no policy to a project-wide LATEST
/// policy. A profile that cannot be read is logged with its name and skipped; the others still sync.
public struct OSResourceReconciler<Store: InventoryStore>: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Where each project's profiles come from.
        public var sources: ReleaseSourceMap
        /// Link immutable instances without a policy to a project-wide LATEST policy.
        public var autoLink: Bool
        /// Retries of Release Service calls.
        public var retry: RetryPolicy

        /// Creates a configuration.
        public init(sources: ReleaseSourceMap, autoLink: Bool = false, retry: RetryPolicy = RetryPolicy()) {
            self.sources = sources
            self.autoLink = autoLink
            self.retry = retry
        }
    }

    /// The name of the policy automatic mode creates in each project.
    public static var autoLinkPolicyName: String { "osrm-auto-link-latest" }

    /// What one pass did.
    public struct Report: Sendable, Equatable {
        /// Projects reconciled.
        public var projects = 0
        /// OS resources created.
        public var created = 0
        /// OS resources whose CVE lists changed.
        public var refreshed = 0
        /// Instances linked to the LATEST policy.
        public var linked = 0
        /// Profiles (or profile tags) skipped, as `profile[:tag]: reason`.
        public var failures: [String] = []
        /// Inventory writes that failed, as `project/profile: reason`.
        public var writeFailures: [String] = []

        /// Creates an empty report.
        public init() {}
    }

    let store: Store
    let configuration: Configuration
    let logger: Logger
    let metrics: any MetricsFactory

    /// Creates the reconciler.
    public init(store: Store, configuration: Configuration, logger: Logger, metrics: any MetricsFactory) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    /// Reconciles every project (or only those whose IDs are in `only`); CVE lists are downloaded when `downloadCVEs`.
    public func reconcile(only: Set<String>? = nil, downloadCVEs: Bool = true) async throws -> Report {
        var report = Report()
        let projects = try await store.projects().filter { only?.contains($0.id) ?? true }
        var catalogs: [ReleaseSource: ProfileCatalog] = [:]
        for project in projects {
            guard let source = configuration.sources.source(forProject: project.name) else { continue }
            let catalog: ProfileCatalog
            if let known = catalogs[source] {
                catalog = known
            } else {
                catalog = await ProfileCatalog.read(
                    from: source,
                    downloadCVEs: downloadCVEs,
                    retry: configuration.retry,
                    logger: logger
                )
                catalogs[source] = catalog
                for failure in catalog.failures {
                    logger.error(
                        "OS profile skipped",
                        metadata: [
                            "os.profile": "\(failure.profileName)", "os.tag": "\(failure.tag ?? "")",
                            "release.service": "\(source.endpoint)", "error": "\(failure.error)",
                        ]
                    )
                    Counter(
                        label: "day2_osrm_profile_errors_total",
                        dimensions: [("profile", failure.profileName)],
                        factory: metrics
                    ).increment()
                    report.failures.append(failure.description)
                }
            }
            report.projects += 1
            try await apply(catalog, to: project, source: source, report: &report)
        }
        let count: (String, Int) -> Void = { label, value in
            if value > 0 { Counter(label: label, factory: metrics).increment(by: value) }
        }
        count("day2_osrm_os_resources_created_total", report.created)
        count("day2_osrm_os_resources_refreshed_total", report.refreshed)
        count("day2_osrm_instances_linked_total", report.linked)
        return report
    }

    /// Creates what is missing and refreshes what exists, for one project.
    private func apply(
        _ catalog: ProfileCatalog,
        to project: Project,
        source: ReleaseSource,
        report: inout Report
    )
        async throws
    {
        let tenant = project.id
        var existing = try await store.osResources(tenant: tenant, .all).items
        var byKey: [String: OSResource] = [:]
        for os in existing { byKey[Self.key(os.profileName, os.imageId)] = os }
        var names = Set(existing.map(\.name))
        for published in catalog.profiles {
            let profile = published.profile
            let key = Self.key(profile.profileName, profile.imageVersion)
            let metadata: Logger.Metadata = [
                "project.name": "\(project.name)", "os.profile": "\(published.profileName)",
                "os.tag": "\(published.tag)",
                "os.image_id": "\(profile.imageVersion)",
            ]
            do {
                if let os = byKey[key] {
                    var updated = os
                    if let cves = published.existingCves { updated.existingCves = cves }
                    if let cves = published.fixedCves { updated.fixedCves = cves }
                    guard updated != os else { continue }
                    byKey[key] = try await store.updateOSResource(tenant: tenant, updated)
                    report.refreshed += 1
                    logger.info(
                        "OS resource CVE lists refreshed",
                        metadata: metadata.merging(["os.id": "\(os.resourceId)"]) { $1 }
                    )
                } else if names.contains(profile.name) {
                    throw OSResourceManagerError(
                        .invalidProfile,
                        "spec.name \"\(profile.name)\" is already the name of another image of the project"
                    )
                } else {
                    let created = try await store.createOSResource(
                        tenant: tenant,
                        profile.osResource(
                            installedPackages: published.installedPackages,
                            existingCves: published.existingCves ?? "",
                            fixedCves: published.fixedCves ?? ""
                        )
                    )
                    byKey[key] = created
                    names.insert(created.name)
                    existing.append(created)
                    report.created += 1
                    logger.info(
                        "OS resource created",
                        metadata: metadata.merging(["os.id": "\(created.resourceId)"]) { $1 }
                    )
                }
            } catch {
                logger.error("OS resource not written", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                report.writeFailures.append("\(project.name)/\(published.profileName):\(published.tag): \(error)")
            }
        }
        if configuration.autoLink {
            try await link(project: project, profiles: Set(source.profiles), osResources: existing, report: &report)
        }
    }

    /// Links the immutable instances of the managed profiles that have no policy to the project's LATEST policy.
    private func link(
        project: Project,
        profiles: Set<String>,
        osResources: [OSResource],
        report: inout Report
    )
        async throws
    {
        let tenant = project.id
        let managed = Dictionary(
            osResources.filter { $0.osType == .immutable && profiles.contains($0.profileName) }.map {
                ($0.resourceId, $0)
            }
        ) { first, _ in first }
        let candidates = try await store.instances(tenant: tenant, .all).items.filter {
            $0.osUpdatePolicyId == nil && managed[$0.osId] != nil
        }
        guard !candidates.isEmpty else { return }
        let policies = try await store.policies(tenant: tenant, .all).items
        let policy: OSUpdatePolicy
        if let found = policies.first(where: { $0.name == Self.autoLinkPolicyName && $0.updatePolicy == .latest }) {
            policy = found
        } else {
            policy = try await store.createPolicy(
                tenant: tenant,
                OSUpdatePolicy(
                    name: Self.autoLinkPolicyName,
                    description: "Created by the OS Resource Manager in automatic mode: install the newest image",
                    updatePolicy: .latest
                )
            )
            logger.info(
                "LATEST policy created for automatic mode",
                metadata: ["project.name": "\(project.name)", "policy.id": "\(policy.resourceId)"]
            )
        }
        for candidate in candidates {
            do {
                // Read again inside one transaction, so a policy an admin linked meanwhile is kept.
                let linked = try await store.withTransaction { transaction in
                    var fresh = try await transaction.instance(tenant: tenant, id: candidate.resourceId)
                    guard fresh.osUpdatePolicyId == nil else { return false }
                    fresh.osUpdatePolicyId = policy.resourceId
                    _ = try await transaction.updateInstance(tenant: tenant, fresh)
                    return true
                }
                if linked {
                    report.linked += 1
                    logger.info(
                        "instance linked to the LATEST policy",
                        metadata: ["project.name": "\(project.name)", "instance.id": "\(candidate.resourceId)"]
                    )
                }
            } catch {
                logger.error(
                    "instance not linked",
                    metadata: [
                        "project.name": "\(project.name)", "instance.id": "\(candidate.resourceId)",
                        "error": "\(error)",
                    ]
                )
                report.writeFailures.append("\(project.name)/\(candidate.resourceId): \(error)")
            }
        }
    }

    static func key(_ profile: String, _ imageId: String) -> String { profile + "\u{0}" + imageId }
}
