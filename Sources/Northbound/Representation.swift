import Day2Model
import Foundation
import Inventory

/// Turns resources into the API's JSON: every field present with its zero value (as protojson with
/// EmitUnpopulated does), enums as names, times as upstream types them, related resources nested.
///
/// One value serves one request: related resources (a page of hosts shares its sites, OS resources and policies)
/// are loaded once and remembered.
final class Representation<Store: InventoryStore> {
    let store: Store
    let tenant: String
    private var regions: [String: Region?] = [:]
    private var sites: [String: Site?] = [:]
    private var hosts: [String: HostResource?] = [:]
    private var operatingSystems: [String: OSResource?] = [:]
    private var policies: [String: OSUpdatePolicy?] = [:]
    private var instancesByHost: [String: Instance?] = [:]
    /// Rendered sites, OS resources and policies: a page of hosts repeats the same few.
    private var renderedSites: [String: JSON] = [:]
    private var renderedOperatingSystems: [String: JSON] = [:]
    private var renderedPolicies: [String: JSON] = [:]

    init(store: Store, tenant: String) {
        self.store = store
        self.tenant = tenant
    }

    // MARK: Loading related resources (a missing one is shown as null, never an error)

    // Each accessor remembers what it loaded (a miss too). They are written out rather than shared through a key
    // path: key paths into a generic class are built at run time on every use, which showed in profiles.

    func region(id: String?) async -> Region? {
        guard let id, !id.isEmpty else { return nil }
        if let known = regions[id] { return known }
        let value = try? await store.region(tenant: tenant, id: id)
        regions[id] = .some(value)
        return value
    }

    func site(id: String?) async -> Site? {
        guard let id, !id.isEmpty else { return nil }
        if let known = sites[id] { return known }
        let value = try? await store.site(tenant: tenant, id: id)
        sites[id] = .some(value)
        return value
    }

    func host(id: String?) async -> HostResource? {
        guard let id, !id.isEmpty else { return nil }
        if let known = hosts[id] { return known }
        let value = try? await store.host(tenant: tenant, id: id)
        hosts[id] = .some(value)
        return value
    }

    func operatingSystem(id: String?) async -> OSResource? {
        guard let id, !id.isEmpty else { return nil }
        if let known = operatingSystems[id] { return known }
        let value = try? await store.osResource(tenant: tenant, id: id)
        operatingSystems[id] = .some(value)
        return value
    }

    func policy(id: String?) async -> OSUpdatePolicy? {
        guard let id, !id.isEmpty else { return nil }
        if let known = policies[id] { return known }
        let value = try? await store.policy(tenant: tenant, id: id)
        policies[id] = .some(value)
        return value
    }

    /// Loads the instances of `hostIds` in one statement.
    func preloadInstances(hostIds: [String]) async throws {
        let missing = hostIds.filter { instancesByHost[$0] == nil }
        guard !missing.isEmpty else { return }
        let found = try await store.instances(tenant: tenant, hostIds: missing)
        for id in missing { instancesByHost[id] = .some(found[id]) }
    }

    func instance(hostId: String) async throws -> Instance? {
        try await preloadInstances(hostIds: [hostId])
        return instancesByHost[hostId] ?? nil
    }

    /// The metadata every ancestor passes down: the regions above `regionId`, nearest first.
    func inheritedMetadata(regionId: String?) async -> [MetadataItem] {
        var items: [MetadataItem] = []
        var next = regionId
        var seen = Set<String>()
        while let id = next, !seen.contains(id), let region = await region(id: id) {
            seen.insert(id)
            items += region.metadata
            next = region.parentRegionId
        }
        return items
    }

    // MARK: Shared pieces

    static func time(_ milliseconds: Int64) -> JSON {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return .string(date.formatted(.iso8601))
    }

    static func timestamps(_ value: Timestamps) -> JSON {
        .object([("createdAt", time(value.createdAt)), ("updatedAt", time(value.updatedAt))])
    }

    static func metadata(_ items: [MetadataItem]) -> JSON {
        .array(items.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })
    }

    /// A Unix-seconds time as upstream sends it: truncated to 32 bits.
    static func uint32(_ seconds: Int64) -> JSON { .int(seconds & 0xFFFF_FFFF) }

    static func status(_ name: String, _ triplet: StatusTriplet) -> [(String, JSON)] {
        [
            (name, .string(triplet.status)), (name + "Indicator", .string(triplet.indicator.rawValue)),
            (name + "Timestamp", uint32(triplet.timestamp)),
        ]
    }

    // MARK: Rendered once per request

    private func renderedSite(_ site: Site?) async -> JSON {
        guard let site else { return .null }
        if let known = renderedSites[site.resourceId] { return known }
        let json = await self.site(site)
        renderedSites[site.resourceId] = json
        return json
    }

    private func renderedOperatingSystem(_ os: OSResource?) -> JSON {
        guard let os else { return .null }
        if let known = renderedOperatingSystems[os.resourceId] { return known }
        let json = Self.operatingSystem(os)
        renderedOperatingSystems[os.resourceId] = json
        return json
    }

    private func renderedPolicy(_ policy: OSUpdatePolicy?) async -> JSON {
        guard let policy else { return .null }
        if let known = renderedPolicies[policy.resourceId] { return known }
        let json = await self.policy(policy)
        renderedPolicies[policy.resourceId] = json
        return json
    }

    // MARK: Resources

    /// A region; `depth` limits how many parents are nested.
    func region(_ region: Region, depth: Int = 1) async -> JSON {
        let parent = depth > 0 ? await self.region(id: region.parentRegionId) : nil
        let parentJSON: JSON = if let parent { await self.region(parent, depth: depth - 1) } else { .null }
        return .object([
            ("resourceId", .string(region.resourceId)), ("regionID", .string(region.resourceId)),
            ("name", .string(region.name)), ("parentRegion", parentJSON),
            ("parentId", .string(region.parentRegionId ?? "")), ("metadata", Self.metadata(region.metadata)),
            ("inheritedMetadata", Self.metadata(await inheritedMetadata(regionId: region.parentRegionId))),
            ("totalSites", .int(0)), ("timestamps", Self.timestamps(region.timestamps)),
        ])
    }

    func site(_ site: Site) async -> JSON {
        let region = await self.region(id: site.regionId)
        let regionJSON: JSON = if let region { await self.region(region, depth: 0) } else { .null }
        return .object([
            ("resourceId", .string(site.resourceId)), ("siteID", .string(site.resourceId)),
            ("name", .string(site.name)), ("region", regionJSON), ("regionId", .string(site.regionId ?? "")),
            ("siteLat", .int(Int64(site.siteLat))), ("siteLng", .int(Int64(site.siteLng))),
            ("metadata", Self.metadata(site.metadata)),
            ("inheritedMetadata", Self.metadata(await inheritedMetadata(regionId: site.regionId))),
            ("timestamps", Self.timestamps(site.timestamps)),
        ])
    }

    /// A host with its site and its instance (the instance's host is not repeated).
    func host(_ host: HostResource, withInstance: Bool = true) async throws -> JSON {
        let site = await self.site(id: host.siteId)
        let siteJSON = await renderedSite(site)
        var instanceJSON = JSON.null
        if withInstance, let instance = try await instance(hostId: host.resourceId) {
            instanceJSON = await self.instance(instance, host: nil)
        }
        var inherited = site?.metadata ?? []
        inherited += await inheritedMetadata(regionId: site?.regionId)
        return .object(
            [
                ("resourceId", .string(host.resourceId)), ("name", .string(host.name)),
                ("uuid", .string(host.uuid ?? "")), ("serialNumber", .string(host.serialNumber)),
                ("desiredState", .string(host.desiredState.rawValue)),
                ("currentState", .string(host.currentState.rawValue)),
            ] + Self.status("hostStatus", host.hostStatus) + Self.status("onboardingStatus", host.onboardingStatus)
                + Self.status("registrationStatus", host.registrationStatus) + [
                    ("site", siteJSON), ("siteId", .string(host.siteId ?? "")), ("instance", instanceJSON),
                    ("metadata", Self.metadata(host.metadata)), ("inheritedMetadata", Self.metadata(inherited)),
                    ("timestamps", Self.timestamps(host.timestamps)),
                ]
        )
    }

    /// An instance with its OS, policy and (unless `host` is nil because the host is the container) its host.
    func instance(_ instance: Instance, host: HostResource?) async -> JSON {
        let os = await operatingSystem(id: instance.osId)
        let osJSON = renderedOperatingSystem(os)
        let policy = await self.policy(id: instance.osUpdatePolicyId)
        let policyJSON = await renderedPolicy(policy)
        var desiredJSON = JSON.null
        if let policy, policy.updatePolicy == .target, let target = await operatingSystem(id: policy.targetOsId) {
            desiredJSON = renderedOperatingSystem(target)
        }
        var hostJSON = JSON.null
        if let host { hostJSON = (try? await self.host(host, withInstance: false)) ?? .null }
        return .object(
            [
                ("resourceId", .string(instance.resourceId)), ("instanceID", .string(instance.resourceId)),
                ("kind", .string(instance.kind.rawValue)), ("name", .string(instance.name)),
                ("desiredState", .string(instance.desiredState.rawValue)),
                ("currentState", .string(instance.currentState.rawValue)), ("host", hostJSON), ("os", osJSON),
                ("currentOs", osJSON), ("desiredOs", desiredJSON),
                ("securityFeature", .string(instance.securityFeature.rawValue)),
            ] + Self.status("instanceStatus", instance.instanceStatus) + [
                ("instanceStatusDetail", .string(instance.instanceStatusDetail))
            ] + Self.status("provisioningStatus", instance.provisioningStatus)
                + Self.status("updateStatus", instance.updateStatus)
                + Self.status("trustedAttestationStatus", instance.trustedAttestationStatus) + [
                    ("updatePolicy", policyJSON), ("existingCves", .string(instance.existingCves)),
                    ("runtimePackages", .string(instance.runtimePackages)),
                    ("osUpdateAvailable", .string(instance.osUpdateAvailable)), ("hostID", .string(instance.hostId)),
                    ("osID", .string(instance.osId)), ("osUpdatePolicyID", .string("")),
                    ("timestamps", Self.timestamps(instance.timestamps)),
                ]
        )
    }

    static func operatingSystem(_ os: OSResource) -> JSON {
        .object([
            ("resourceId", .string(os.resourceId)), ("osResourceID", .string(os.resourceId)),
            ("name", .string(os.name)), ("architecture", .string(os.architecture)),
            ("imageUrl", .string(os.imageUrl)), ("imageId", .string(os.imageId)), ("sha256", .string(os.sha256)),
            ("profileName", .string(os.profileName)), ("profileVersion", .string(os.profileVersion)),
            ("installedPackages", .string(os.installedPackages)),
            ("installedPackagesUrl", .string(os.installedPackagesUrl)),
            ("securityFeature", .string(os.securityFeature.rawValue)), ("osType", .string(os.osType.rawValue)),
            ("osProvider", .string(os.osProvider.rawValue)), ("platformBundle", .string(os.platformBundle)),
            ("description", .string(os.description)), ("metadata", .string(os.metadata)),
            ("tlsCaCert", .string(os.tlsCaCert)), ("existingCvesUrl", .string(os.existingCvesUrl)),
            ("existingCves", .string(os.existingCves)), ("fixedCvesUrl", .string(os.fixedCvesUrl)),
            ("fixedCves", .string(os.fixedCves)), ("timestamps", timestamps(os.timestamps)),
        ])
    }

    /// A policy with its target OS; a missing policy (a run whose policy was deleted) is all zero values.
    func policy(_ policy: OSUpdatePolicy?) async -> JSON {
        let target = await operatingSystem(id: policy?.targetOsId)
        return .object([
            ("resourceId", .string(policy?.resourceId ?? "")), ("name", .string(policy?.name ?? "")),
            ("description", .string(policy?.description ?? "")),
            ("updateSources", .array((policy?.updateSources ?? []).map(JSON.string))),
            ("updatePackages", .string(policy?.updatePackages ?? "")),
            ("updateKernelCommand", .string(policy?.updateKernelCommand ?? "")),
            ("targetOs", target.map(Self.operatingSystem) ?? .null), ("targetOsId", .string("")),
            ("updatePolicy", .string((policy?.updatePolicy ?? .unspecified).rawValue)),
            ("timestamps", policy.map { Self.timestamps($0.timestamps) } ?? .null),
        ])
    }

    func run(_ run: OSUpdateRun) async -> JSON {
        let policy = await self.policy(id: run.appliedPolicyId)
        var instanceJSON = JSON.null
        if let instance = try? await store.instance(tenant: tenant, id: run.instanceId) {
            instanceJSON = Self.instanceScalars(instance)
        }
        return .object([
            ("resourceId", .string(run.resourceId)), ("name", .string(run.name)),
            ("description", .string(run.description)), ("appliedPolicy", await self.policy(policy)),
            ("instance", instanceJSON), ("statusIndicator", .string(run.statusIndicator.rawValue)),
            ("status", .string(run.status)), ("statusDetails", .string(run.statusDetails)),
            ("statusTimestamp", Self.uint32(run.statusTimestamp)), ("startTime", Self.uint32(run.startTime)),
            ("endTime", Self.uint32(run.endTime)), ("timestamps", Self.timestamps(run.timestamps)),
        ])
    }

    /// An instance inside a run: its own fields only, edges null (as upstream loads it).
    static func instanceScalars(_ instance: Instance) -> JSON {
        .object(
            [
                ("resourceId", .string(instance.resourceId)), ("instanceID", .string(instance.resourceId)),
                ("kind", .string(instance.kind.rawValue)), ("name", .string(instance.name)),
                ("desiredState", .string(instance.desiredState.rawValue)),
                ("currentState", .string(instance.currentState.rawValue)), ("host", .null), ("os", .null),
                ("currentOs", .null), ("desiredOs", .null),
                ("securityFeature", .string(instance.securityFeature.rawValue)),
            ] + status("instanceStatus", instance.instanceStatus) + [
                ("instanceStatusDetail", .string(instance.instanceStatusDetail))
            ] + status("provisioningStatus", instance.provisioningStatus)
                + status("updateStatus", instance.updateStatus)
                + status("trustedAttestationStatus", instance.trustedAttestationStatus) + [
                    ("updatePolicy", .null), ("existingCves", .string(instance.existingCves)),
                    ("runtimePackages", .string(instance.runtimePackages)),
                    ("osUpdateAvailable", .string(instance.osUpdateAvailable)), ("hostID", .string(instance.hostId)),
                    ("osID", .string(instance.osId)), ("osUpdatePolicyID", .string("")),
                    ("timestamps", timestamps(instance.timestamps)),
                ]
        )
    }

    /// The target objects and echoed target IDs of a schedule.
    private func targets(_ target: ScheduleTarget) async -> [(String, JSON)] {
        let site = await self.site(id: target.siteId)
        let host = await self.host(id: target.hostId)
        let region = await self.region(id: target.regionId)
        let siteJSON: JSON = if let site { await self.site(site) } else { .null }
        let hostJSON: JSON = if let host { (try? await self.host(host, withInstance: false)) ?? .null } else { .null }
        let regionJSON: JSON = if let region { await self.region(region) } else { .null }
        return [
            ("targetSite", siteJSON), ("targetHost", hostJSON), ("targetRegion", regionJSON),
            ("targetSiteId", .string(target.siteId ?? "")), ("targetHostId", .string(target.hostId ?? "")),
            ("targetRegionId", .string(target.regionId ?? "")),
        ]
    }

    func singleSchedule(_ schedule: SingleSchedule) async -> JSON {
        .object(
            [
                ("resourceId", .string(schedule.resourceId)), ("singleScheduleID", .string(schedule.resourceId)),
                ("scheduleStatus", .string(schedule.scheduleStatus.rawValue)), ("name", .string(schedule.name)),
            ] + (await targets(schedule.target)) + [
                ("startSeconds", Self.uint32(schedule.startSeconds)),
                ("endSeconds", Self.uint32(schedule.endSeconds ?? 0)),
                ("timestamps", Self.timestamps(schedule.timestamps)),
            ]
        )
    }

    func repeatedSchedule(_ schedule: RepeatedSchedule) async -> JSON {
        .object(
            [
                ("resourceId", .string(schedule.resourceId)), ("repeatedScheduleID", .string(schedule.resourceId)),
                ("scheduleStatus", .string(schedule.scheduleStatus.rawValue)), ("name", .string(schedule.name)),
            ] + (await targets(schedule.target)) + [
                ("durationSeconds", .int(schedule.durationSeconds)), ("cronMinutes", .string(schedule.cronMinutes)),
                ("cronHours", .string(schedule.cronHours)), ("cronDayMonth", .string(schedule.cronDayMonth)),
                ("cronMonth", .string(schedule.cronMonth)), ("cronDayWeek", .string(schedule.cronDayWeek)),
                ("timestamps", Self.timestamps(schedule.timestamps)),
            ]
        )
    }
}
