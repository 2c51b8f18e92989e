import Day2CLI
import Foundation
import Synchronization

/// Registers a simulated fleet through the REST API, as an operator would for nodes Day2 did not provision: a
/// region, sites under it, the OS every node runs and the one to install (immutable, with the SHA-256 of the
/// synthetic images), a TARGET policy, then a host and an instance (running the current OS, linked to the policy)
/// per node. Whatever already exists (same names, same UUIDs) is reused, so a second run registers nothing new.
struct FleetRegistrar: Sendable {
    let rest: FleetREST
    let configuration: FleetConfiguration
    let identity: FleetIdentity
    let report: @Sendable (String) -> Void

    /// What the registration found or created.
    struct Fleet: Sendable {
        var regionID: String
        var currentOSID: String
        var targetOSID: String
        var policyID: String
        var hostsCreated: Int
        var hostsFound: Int
        var seconds: Double
    }

    /// Registers everything; progress goes to `report`.
    func register() async throws -> Fleet {
        let started = ContinuousClock.now
        let regionID = try await region(create: true)
        let current = try await operatingSystem(FleetIdentity.currentVersion)
        let target = try await operatingSystem(FleetIdentity.targetVersion)
        let policyName = "fleetsim-to-\(FleetIdentity.targetVersion)"
        let policyID = try await findOrCreate(
            "os-update-policies",
            listKey: "osUpdatePolicies",
            name: policyName,
            body: .object([
                ("name", .string(policyName)), ("updatePolicy", .string("UPDATE_POLICY_TARGET")),
                ("targetOsId", .string(target)),
                (
                    "description",
                    .string("day2-fleetsim: install \(FleetIdentity.imageLabel(FleetIdentity.targetVersion))")
                ),
            ])
        )
        let (sites, existingSites) = try await sites(regionID: regionID)
        let known = try await registeredHosts(siteIDs: existingSites)
        let counters = Counters()
        let nodes = configuration.nodes
        let progress = ProgressTicker(interval: configuration.progressInterval)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(configuration.registerConcurrency, nodes) {
                group.addTask {
                    while true {
                        let index = counters.next.add(1, ordering: .relaxed).oldValue
                        guard index < nodes else { return }
                        let created = try await host(
                            index,
                            siteID: sites[index / configuration.hostsPerSite],
                            osID: current,
                            policyID: policyID,
                            known: known[identity.uuid(index)]
                        )
                        let done = counters.counts.withLock { counts in
                            if created { counts.created += 1 } else { counts.found += 1 }
                            return counts.created + counts.found
                        }
                        if progress.due() || done == nodes {
                            let seconds = (ContinuousClock.now - started).seconds
                            report(
                                "registering: \(done)/\(nodes) hosts with instances"
                                    + String(format: " (%.0f hosts/s)", Double(done) / max(seconds, 0.001))
                            )
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let (created, found) = counters.counts.withLock { ($0.created, $0.found) }
        return Fleet(
            regionID: regionID,
            currentOSID: current,
            targetOSID: target,
            policyID: policyID,
            hostsCreated: created,
            hostsFound: found,
            seconds: (ContinuousClock.now - started).seconds
        )
    }

    /// The registration's shared counters: the next node to register, and how many were created or found.
    final class Counters: Sendable {
        let next = Atomic(0)
        let counts = Mutex((created: 0, found: 0))
    }

    /// The ID of region `--region` (created when `create` and missing).
    func region(create: Bool) async throws -> String {
        let name = configuration.region
        if let id = try await find("regions", listKey: "regions", name: name) { return id }
        guard create else {
            throw FleetError(.api, "--region: region \(name) does not exist in project \(configuration.project)")
        }
        return try await created(
            rest.post("regions", .object([("name", .string(name))]), doing: "creating region \(name)"),
            what: "region \(name)"
        )
    }

    /// A single maintenance window on the region from `start` to `end` (Unix seconds).
    func createWindow(regionID: String, start: Int64, end: Int64) async throws -> String {
        let name = "\(identity.prefix)-window-\(start)"
        return try await created(
            rest.post(
                "schedules/single",
                .object([
                    ("name", .string(name)), ("scheduleStatus", .string("SCHEDULE_STATUS_OS_UPDATE")),
                    ("startSeconds", .int(start)), ("endSeconds", .int(end)), ("targetRegionId", .string(regionID)),
                ]),
                doing: "creating the maintenance window \(name)"
            ),
            what: "window \(name)"
        )
    }

    /// The OS resource of `version` (immutable, the synthetic image's SHA-256 at the fleet's image size).
    private func operatingSystem(_ version: String) async throws -> String {
        let name = "fleetsim EMT \(version)"
        let sha = FleetIdentity.imageSHA256(version, size: configuration.imageSize)
        let existing = try await rest.get(
            "compute/os",
            query: [("filter", "name=\"\(name)\"")],
            doing: "looking up OS resource \(name)"
        )
        if let os = existing["OperatingSystemResources"].array.first(where: { $0["name"].string == name }) {
            guard os["sha256"].string == sha else {
                throw FleetError(
                    .api,
                    "--image-size: OS resource \(name) was registered for another image size (its sha256 is "
                        + "\(os["sha256"].text), \(configuration.imageSize) bytes give \(sha)); use the size it was "
                        + "registered with"
                )
            }
            return os["resourceId"].text
        }
        return try await created(
            rest.post(
                "compute/os",
                .object([
                    ("name", .string(name)), ("architecture", .string("x86_64")),
                    ("imageUrl", .string(FleetIdentity.imagePath(version))), ("imageId", .string(version)),
                    ("sha256", .string(sha)), ("profileName", .string(FleetIdentity.profileName)),
                    ("osType", .string("OS_TYPE_IMMUTABLE")), ("osProvider", .string("OS_PROVIDER_KIND_INFRA")),
                    ("securityFeature", .string("SECURITY_FEATURE_NONE")),
                    ("description", .string("day2-fleetsim synthetic image of \(configuration.imageSize) bytes")),
                ]),
                doing: "creating OS resource \(name)"
            ),
            what: "OS resource \(name)"
        )
    }

    /// The IDs of the sites the fleet needs, in order (created when missing), and those that existed already.
    private func sites(regionID: String) async throws -> (ids: [String], existing: [String]) {
        let count = (configuration.nodes + configuration.hostsPerSite - 1) / configuration.hostsPerSite
        let listed = try await rest.get(
            "sites",
            query: [("filter", "region.resourceId=\"\(regionID)\"")],
            doing: "listing the sites of region \(configuration.region)"
        )
        var byName: [String: String] = [:]
        for site in listed["sites"].array { byName[site["name"].text] = site["resourceId"].text }
        var ids: [String] = []
        var existing: [String] = []
        for index in 0..<count {
            let name = identity.siteName(index)
            if let id = byName[name] {
                ids.append(id)
                existing.append(id)
                continue
            }
            ids.append(
                try created(
                    await rest.post(
                        "sites",
                        .object([("name", .string(name)), ("regionId", .string(regionID))]),
                        doing: "creating site \(name)"
                    ),
                    what: "site \(name)"
                )
            )
        }
        return (ids, existing)
    }

    /// A host registered before: its ID, and its instance's ID and policy when it has one.
    struct KnownHost: Sendable {
        var hostID: String
        var instanceID: String?
        var policyID: String?
    }

    /// The policy linked to an instance as the API shows it (`updatePolicy.resourceId`).
    static func policyID(of instance: JSONValue) -> String? {
        let id = instance["updatePolicy"]["resourceId"].string ?? instance["osUpdatePolicyID"].string
        return id?.isEmpty == false ? id : nil
    }

    /// The hosts already on `siteIDs`, by UUID: one list call per site (a lookup per host would scan every host of
    /// the project for each, the UUID filter being a substring match).
    private func registeredHosts(siteIDs: [String]) async throws -> [String: KnownHost] {
        var known: [String: KnownHost] = [:]
        for siteID in siteIDs {
            let hosts = try await rest.get(
                "compute/hosts",
                query: [("filter", "site.resourceId=\"\(siteID)\"")],
                doing: "listing the hosts of site \(siteID)"
            )
            for host in hosts["hosts"].array {
                guard let uuid = host["uuid"].string, let id = host["resourceId"].string else { continue }
                let instance = host["instance"]
                known[uuid] = KnownHost(
                    hostID: id,
                    instanceID: instance["resourceId"].string,
                    policyID: Self.policyID(of: instance)
                )
            }
        }
        return known
    }

    /// Registers node `index`: its host and its instance. Returns false when the host existed already.
    private func host(
        _ index: Int,
        siteID: String,
        osID: String,
        policyID: String,
        known: KnownHost?
    ) async throws -> Bool {
        let name = identity.hostName(index)
        let uuid = identity.uuid(index)
        var host = known
        if host == nil {
            do {
                let id = try created(
                    await rest.post(
                        "compute/hosts",
                        .object([("name", .string(name)), ("uuid", .string(uuid)), ("siteId", .string(siteID))]),
                        doing: "creating host \(name)"
                    ),
                    what: "host \(name)"
                )
                try await createInstance(name: name, hostID: id, osID: osID, policyID: policyID)
                return true
            } catch let error as FleetError where (error.cause as? CLIError)?.apiCode == "FailedPrecondition" {
                // Registered meanwhile, or on another site: look it up.
                let found = try await rest.get(
                    "compute/hosts",
                    query: [("filter", "uuid=\"\(uuid)\"")],
                    doing: "looking up host \(uuid)"
                )
                guard let entry = found["hosts"].array.first(where: { $0["uuid"].string == uuid }) else { throw error }
                let instance = entry["instance"]
                host = KnownHost(
                    hostID: entry["resourceId"].text,
                    instanceID: instance["resourceId"].string,
                    policyID: Self.policyID(of: instance)
                )
            }
        }
        guard let host else { return false }
        if let instanceID = host.instanceID {
            if host.policyID != policyID {
                _ = try await rest.patch(
                    "compute/instances/\(instanceID)",
                    .object([("osUpdatePolicyID", .string(policyID))]),
                    doing: "linking the instance of host \(name) to the policy"
                )
            }
        } else {
            try await createInstance(name: name, hostID: host.hostID, osID: osID, policyID: policyID)
        }
        return false
    }

    private func createInstance(name: String, hostID: String, osID: String, policyID: String) async throws {
        _ = try await rest.post(
            "compute/instances",
            .object([
                ("name", .string(name)), ("hostID", .string(hostID)), ("osID", .string(osID)),
                ("kind", .string("INSTANCE_KIND_METAL")), ("osUpdatePolicyID", .string(policyID)),
            ]),
            doing: "creating the instance of host \(name)"
        )
    }

    /// The ID of the resource named exactly `name` in list `path`, or nil.
    private func find(_ path: String, listKey: String, name: String) async throws -> String? {
        let answer = try await rest.get(path, query: [("filter", "name=\"\(name)\"")], doing: "looking up \(name)")
        return answer[listKey].array.first(where: { $0["name"].string == name })?["resourceId"].string
    }

    private func findOrCreate(_ path: String, listKey: String, name: String, body: JSONValue) async throws -> String {
        if let id = try await find(path, listKey: listKey, name: name) { return id }
        return try await created(rest.post(path, body, doing: "creating \(name)"), what: name)
    }

    private func created(_ json: JSONValue, what: String) throws -> String {
        guard let id = json["resourceId"].string, !id.isEmpty else {
            throw FleetError(.api, "creating \(what): the answer has no resourceId")
        }
        return id
    }
}
