import Day2Model

/// A page of a list: the items, how many match in all, and whether more follow.
public struct Page<Item: Sendable>: Sendable {
    /// The items of this page.
    public var items: [Item]
    /// How many items match the filter in all.
    public var totalElements: Int
    /// Whether items follow this page (`offset + items.count < totalElements`).
    public var hasNext: Bool

    /// Creates a page.
    public init(items: [Item], totalElements: Int, hasNext: Bool) {
        self.items = items
        self.totalElements = totalElements
        self.hasNext = hasNext
    }
}

/// The list conventions of the API: filter, order, page size and offset.
public struct ListQuery: Sendable {
    /// The parsed filter, nil for all.
    public var filter: FilterExpression?
    /// Sort keys; the resource ID always breaks ties.
    public var orderBy: [OrderTerm]
    /// 1...100, or nil for every match (as upstream does).
    public var pageSize: Int?
    /// 0...10000.
    public var offset: Int

    /// A query from parsed parts.
    public init(
        filter: FilterExpression? = nil,
        orderBy: [OrderTerm] = [],
        pageSize: Int? = nil,
        offset: Int = 0
    )
        throws(ValidationError)
    {
        if let pageSize, !(1...100).contains(pageSize) {
            throw ValidationError(field: "pageSize", rule: "must be 1..100, got \(pageSize)")
        }
        guard (0...10000).contains(offset) else {
            throw ValidationError(field: "offset", rule: "must be 0..10000, got \(offset)")
        }
        self.filter = filter
        self.orderBy = orderBy
        self.pageSize = pageSize
        self.offset = offset
    }

    /// A query from the API's text parameters.
    public init(filter: String, orderBy: String = "", pageSize: Int? = nil, offset: Int = 0) throws(ValidationError) {
        try self.init(
            filter: try FilterParser.parse(filter),
            orderBy: try OrderByParser.parse(orderBy),
            pageSize: pageSize,
            offset: offset
        )
    }

    /// Everything, in resource-ID order.
    public static let all = try! ListQuery()
}

/// A constraint on one schedule target kind in a schedule list.
public enum TargetFilter: Sendable, Hashable {
    /// No constraint.
    case any
    /// Only schedules without this kind of target (the API's `"null"`).
    case withoutTarget
    /// Schedules that apply to this resource, including those inherited from its site and regions.
    case id(String)

    /// Parses the API's query value: absent/empty → any, `"null"` → withoutTarget, else an ID.
    public static func parse(_ text: String?) -> TargetFilter {
        guard let text, !text.isEmpty else { return .any }
        return text == "null" ? .withoutTarget : .id(text)
    }
}

/// The schedule list query of the API (`hostId`/`siteId`/`regionId` with inheritance, `unixEpoch`).
public struct ScheduleQuery: Sendable {
    /// Host constraint.
    public var hostId: TargetFilter
    /// Site constraint.
    public var siteId: TargetFilter
    /// Region constraint.
    public var regionId: TargetFilter
    /// Keep only schedules active at this instant (Unix seconds).
    public var unixEpoch: Int64?
    /// 1...100, nil for all.
    public var pageSize: Int?
    /// 0...10000.
    public var offset: Int

    /// Creates a query; at most one of the three target constraints may name an ID.
    public init(
        hostId: TargetFilter = .any,
        siteId: TargetFilter = .any,
        regionId: TargetFilter = .any,
        unixEpoch: Int64? = nil,
        pageSize: Int? = nil,
        offset: Int = 0
    ) throws(ValidationError) {
        let named = [hostId, siteId, regionId].filter { if case .id = $0 { true } else { false } }
        guard named.count <= 1 else {
            throw ValidationError(
                field: "hostId",
                rule: "Only one of TargetHost, TargetSite and TargetRegion can be specified"
            )
        }
        if case .id(let id) = hostId { try ResourceID.validate(id, kind: .host, field: "hostId") }
        if case .id(let id) = siteId { try ResourceID.validate(id, kind: .site, field: "siteId") }
        if case .id(let id) = regionId { try ResourceID.validate(id, kind: .region, field: "regionId") }
        if let pageSize, !(1...100).contains(pageSize) {
            throw ValidationError(field: "pageSize", rule: "must be 1..100, got \(pageSize)")
        }
        guard (0...10000).contains(offset) else {
            throw ValidationError(field: "offset", rule: "must be 0..10000, got \(offset)")
        }
        self.hostId = hostId
        self.siteId = siteId
        self.regionId = regionId
        self.unixEpoch = unixEpoch
        self.pageSize = pageSize
        self.offset = offset
    }
}

/// A host found by its UUID, with its instance and the configuration generation read in the same statement.
public struct HostLookup: Sendable {
    /// The host.
    public var host: HostResource
    /// Its instance, if it has one.
    public var instance: Instance?
    /// A number that every change to the project's regions, sites, hosts, OS resources, OS update policies or
    /// schedules increases (database triggers, so every writer counts, in any process). Anything derived from those
    /// tables and read after this value was read is current as long as the number has not moved.
    public var configGeneration: Int64
    /// The unfinished rollout that owns the host, if any (read in the same statement).
    public var rollout: RolloutMembership?

    /// Creates the lookup result.
    public init(
        host: HostResource,
        instance: Instance?,
        configGeneration: Int64,
        rollout: RolloutMembership? = nil
    ) {
        self.host = host
        self.instance = instance
        self.configGeneration = configGeneration
        self.rollout = rollout
    }
}

/// One host of a rollout as the API lists it: the stored row with the host's name and site.
public struct RolloutHostEntry: Sendable, Hashable {
    public var host: RolloutHost
    public var hostName: String
    public var siteId: String?

    /// Creates an entry.
    public init(host: RolloutHost, hostName: String, siteId: String?) {
        self.host = host
        self.hostName = hostName
        self.siteId = siteId
    }
}

/// The query of a rollout's host list.
public struct RolloutHostQuery: Sendable {
    /// Only hosts in this state.
    public var state: RolloutHostState?
    /// Only hosts of this wave (0-based).
    public var wave: Int?
    /// 1...1000, nil for every match.
    public var pageSize: Int?
    /// 0...100000.
    public var offset: Int

    /// Creates a query.
    public init(state: RolloutHostState? = nil, wave: Int? = nil, pageSize: Int? = nil, offset: Int = 0)
        throws(ValidationError)
    {
        if let pageSize, !(1...1000).contains(pageSize) {
            throw ValidationError(field: "pageSize", rule: "must be 1..1000, got \(pageSize)")
        }
        guard (0...100_000).contains(offset) else {
            throw ValidationError(field: "offset", rule: "must be 0..100000, got \(offset)")
        }
        if let wave, wave < 0 { throw ValidationError(field: "wave", rule: "must be 1 or more") }
        self.state = state
        self.wave = wave
        self.pageSize = pageSize
        self.offset = offset
    }
}

/// A rollout the controller has to look at: unfinished, or finished with hosts still writing an update.
public struct RolloutWork: Sendable {
    public var tenant: String
    public var rollout: Rollout
    /// Changes with every write of the rollout row; the controller's write is refused when it moved.
    public var version: Int64

    /// Creates a work item.
    public init(tenant: String, rollout: Rollout, version: Int64) {
        self.tenant = tenant
        self.rollout = rollout
        self.version = version
    }
}

/// What one agent poll writes on its instance (see ``InventoryStore/recordInstanceReport(tenant:_:)``).
public struct InstanceReport: Sendable, Equatable {
    /// The instance.
    public var instanceId: String
    /// Its update status.
    public var updateStatus: StatusTriplet
    /// The update the node can take (the newest image's name, or the mutable agent's package list).
    public var osUpdateAvailable: String
    /// The OS the instance now runs, when the report switched it (an immutable update); nil keeps the current one.
    public var osId: String?
    /// The CVEs of the OS it runs, when they change with this report; nil keeps the current ones.
    public var existingCves: String?

    /// Creates a report.
    public init(
        instanceId: String,
        updateStatus: StatusTriplet,
        osUpdateAvailable: String,
        osId: String? = nil,
        existingCves: String? = nil
    ) {
        self.instanceId = instanceId
        self.updateStatus = updateStatus
        self.osUpdateAvailable = osUpdateAvailable
        self.osId = osId
        self.existingCves = existingCves
    }

    /// Checks the same rules as ``Instance/validate()`` for the fields it carries.
    public func validate() throws(ValidationError) {
        try ResourceID.validate(instanceId, kind: .instance, field: "instanceID")
        if let osId { try ResourceID.validate(osId, kind: .operatingSystem, field: "osID") }
        try Instance.validateReported(
            updateStatus: updateStatus.status,
            osUpdateAvailable: osUpdateAvailable,
            existingCves: existingCves
        )
    }
}

/// What one report does to its instance's update run (see ``ReportRecord``).
public struct RunChange: Sendable, Equatable {
    /// The run's status text and indicator after the report.
    public var status: String
    public var indicator: StatusIndication
    /// The node's status detail; empty keeps the run's detail.
    public var detail: String
    /// Whether the report ends the run (UPDATED, FAILED).
    public var endsRun: Bool
    /// The report's time, Unix seconds.
    public var at: Int64
    /// For a run this report opens: its name, description and the policy the poll applied.
    public var name: String
    public var description: String
    public var appliedPolicyId: String?

    /// Creates a change.
    public init(
        status: String,
        indicator: StatusIndication,
        detail: String,
        endsRun: Bool,
        at: Int64,
        name: String,
        description: String,
        appliedPolicyId: String?
    ) {
        self.status = status
        self.indicator = indicator
        self.detail = detail
        self.endsRun = endsRun
        self.at = at
        self.name = name
        self.description = description
        self.appliedPolicyId = appliedPolicyId
    }

    /// The run this change opens when the instance has no open run.
    public func newRun(instanceId: String) -> OSUpdateRun {
        OSUpdateRun(
            name: name,
            description: description,
            appliedPolicyId: appliedPolicyId,
            instanceId: instanceId,
            statusIndicator: indicator,
            status: status,
            statusDetails: detail,
            statusTimestamp: at,
            startTime: at,
            endTime: endsRun ? at : OSUpdateRun.openEndTime
        )
    }
}

/// One agent report as the store writes it: the instance's reported fields and, for a status change, its run.
public struct ReportRecord: Sendable, Equatable {
    public var tenant: String
    public var report: InstanceReport
    /// nil when the report does not concern a run (UP_TO_DATE, or an unchanged status).
    public var run: RunChange?

    /// Creates a record.
    public init(tenant: String, report: InstanceReport, run: RunChange?) {
        self.tenant = tenant
        self.report = report
        self.run = run
    }
}

/// The Inventory: every resource of Day 2, scoped by tenant (project UUID) on every call.
///
/// Implementations never return or change a row of another tenant; a resource of another tenant is "not found".
/// Writes are atomic: a call that throws has changed nothing. Errors are `InventoryError`.
public protocol InventoryStore: Sendable {
    // MARK: Health, transactions and leases

    /// One round trip to the database (the health check and the benchmark baseline).
    func ping() async throws
    /// The highest schema migration applied.
    func schemaVersion() async throws -> Int

    /// How many transactions may usefully write at once: 1 for SQLite (one writer), more for PostgreSQL.
    var concurrentWriters: Int { get }
    /// Runs `body` against a view of the store inside one transaction: all of its writes land, or none.
    func withTransaction<T: Sendable>(_ body: @Sendable (any InventoryStore) async throws -> T) async throws -> T
    /// Takes or renews the lease `name` for `holder` for `seconds`; false while another holder's lease is live.
    func acquireLease(name: String, holder: String, seconds: Int64) async throws -> Bool
    /// Gives the lease up if `holder` holds it.
    func releaseLease(name: String, holder: String) async throws

    // MARK: Projects

    /// Creates a project; `id` defaults to a fresh UUID.
    func createProject(name: String, id: String?) async throws -> Project
    /// Every project, by name.
    func projects() async throws -> [Project]
    /// The project called `name`, if any.
    func project(named name: String) async throws -> Project?

    // MARK: Regions and sites

    /// Creates a region (its parent must exist in the same project).
    func createRegion(tenant: String, _ region: Region) async throws -> Region
    /// The region `id`.
    func region(tenant: String, id: String) async throws -> Region
    /// Replaces the client-settable fields of a region; a parent chain may not loop.
    func updateRegion(tenant: String, _ region: Region) async throws -> Region
    /// Deletes a region without child regions or sites; schedules on it lose their target.
    func deleteRegion(tenant: String, id: String) async throws
    /// Lists regions.
    func regions(tenant: String, _ query: ListQuery) async throws -> Page<Region>
    /// Creates a site.
    func createSite(tenant: String, _ site: Site) async throws -> Site
    /// The site `id`.
    func site(tenant: String, id: String) async throws -> Site
    /// Replaces the client-settable fields of a site.
    func updateSite(tenant: String, _ site: Site) async throws -> Site
    /// Deletes a site without hosts; schedules on it lose their target.
    func deleteSite(tenant: String, id: String) async throws
    /// Lists sites.
    func sites(tenant: String, _ query: ListQuery) async throws -> Page<Site>

    // MARK: Hosts and instances

    /// Creates a host; its UUID is unique within the project.
    func createHost(tenant: String, _ host: HostResource) async throws -> HostResource
    /// The host `id`.
    func host(tenant: String, id: String) async throws -> HostResource
    /// The host whose SMBIOS UUID is `uuid`, if any.
    func host(tenant: String, uuid: String) async throws -> HostResource?
    /// The host whose SMBIOS UUID is `uuid`, its instance and the project's configuration generation, in one lookup
    /// (the agent poll's first step).
    func hostAndInstance(tenant: String, uuid: String) async throws -> HostLookup?
    /// The project's configuration generation (see ``HostLookup/configGeneration``).
    func configGeneration(tenant: String) async throws -> Int64
    /// Replaces the fields of a host.
    func updateHost(tenant: String, _ host: HostResource) async throws -> HostResource
    /// Deletes a host without an instance; schedules on it lose their target.
    func deleteHost(tenant: String, id: String) async throws
    /// Lists hosts.
    func hosts(tenant: String, _ query: ListQuery) async throws -> Page<HostResource>
    /// Creates an instance for a host that has none, with an existing OS (and policy, if given).
    func createInstance(tenant: String, _ instance: Instance) async throws -> Instance
    /// The instance `id`.
    func instance(tenant: String, id: String) async throws -> Instance
    /// The instance of host `hostId`, if any.
    func instance(tenant: String, hostId: String) async throws -> Instance?
    /// The instances of several hosts, by host ID (for pages of hosts).
    func instances(tenant: String, hostIds: [String]) async throws -> [String: Instance]
    /// Replaces the fields of an instance (referenced OS and policy must exist).
    func updateInstance(tenant: String, _ instance: Instance) async throws -> Instance
    /// Writes what a node's poll reported on its instance, and only that (update status, available update, and
    /// after an immutable update the running OS and its CVEs): a change an operator made meanwhile to any other
    /// field is kept. Not found when the instance is gone.
    func recordInstanceReport(tenant: String, _ report: InstanceReport) async throws
    /// Writes a batch of reports (any projects) as `recordInstanceReport` plus the run bookkeeping would one by one,
    /// in a few statements for the whole batch: an open run advances when its status or indicator changes, a run
    /// opens when there is none; all or nothing. Not found when an instance is gone.
    func recordReports(_ records: [ReportRecord]) async throws
    /// Deletes an instance and its update runs.
    func deleteInstance(tenant: String, id: String) async throws
    /// Lists instances.
    func instances(tenant: String, _ query: ListQuery) async throws -> Page<Instance>

    // MARK: OS resources and policies

    /// Creates an OS resource; name and (profile, image ID) are unique within the project.
    func createOSResource(tenant: String, _ os: OSResource) async throws -> OSResource
    /// The OS resource `id`.
    func osResource(tenant: String, id: String) async throws -> OSResource
    /// Replaces the fields of an OS resource (the name is immutable).
    func updateOSResource(tenant: String, _ os: OSResource) async throws -> OSResource
    /// Deletes an OS resource no instance runs and no policy targets.
    func deleteOSResource(tenant: String, id: String) async throws
    /// Lists OS resources.
    func osResources(tenant: String, _ query: ListQuery) async throws -> Page<OSResource>
    /// OS resource `id` and every immutable OS resource of its profile (itself included when immutable), in one
    /// lookup: what a poll needs to tell the running image from newer ones.
    func osResourceAndProfile(tenant: String, id: String) async throws -> (os: OSResource, profile: [OSResource])
    /// Every OS resource of one profile and OS type (exact match), for "newest image" and image-ID lookups.
    func osResources(tenant: String, profileName: String, osType: OSType) async throws -> [OSResource]
    /// Creates a policy (its target OS must exist).
    func createPolicy(tenant: String, _ policy: OSUpdatePolicy) async throws -> OSUpdatePolicy
    /// The policy `id`.
    func policy(tenant: String, id: String) async throws -> OSUpdatePolicy
    /// Deletes a policy no instance links to; runs that applied it keep their history without the link.
    func deletePolicy(tenant: String, id: String) async throws
    /// Lists policies.
    func policies(tenant: String, _ query: ListQuery) async throws -> Page<OSUpdatePolicy>

    // MARK: Update runs

    /// Records a new update run.
    func createRun(tenant: String, _ run: OSUpdateRun) async throws -> OSUpdateRun
    /// The run `id`.
    func run(tenant: String, id: String) async throws -> OSUpdateRun
    /// Replaces the mutable fields of a run (status, details, times).
    func updateRun(tenant: String, _ run: OSUpdateRun) async throws -> OSUpdateRun
    /// Deletes a run.
    func deleteRun(tenant: String, id: String) async throws
    /// Lists runs.
    func runs(tenant: String, _ query: ListQuery) async throws -> Page<OSUpdateRun>
    /// The newest run of an instance that has not ended, if any.
    func openRun(tenant: String, instanceId: String) async throws -> OSUpdateRun?
    /// Runs of every project still open whose status has not changed since `before` (Unix seconds), oldest first.
    func staleOpenRuns(statusBefore before: Int64, limit: Int) async throws -> [(tenant: String, run: OSUpdateRun)]

    // MARK: Rollouts

    /// Resolves the rollout's policy and target set, plans the waves and writes the rollout and its hosts in one
    /// transaction; a rollout whose start has come opens its first wave at once. Refused (409) when a host of the
    /// set already belongs to an unfinished rollout.
    func createRollout(tenant: String, _ rollout: Rollout) async throws -> Rollout
    /// What `createRollout` would do, written nowhere: every host's wave, offer, skip reason and earliest start.
    func previewRollout(tenant: String, _ rollout: Rollout) async throws -> RolloutPreview
    /// The preview of an existing rollout (its stored waves and host states, the hosts' windows now).
    func previewRollout(tenant: String, id: String) async throws -> RolloutPreview
    /// The rollout `id`.
    func rollout(tenant: String, id: String) async throws -> Rollout
    /// Lists rollouts.
    func rollouts(tenant: String, _ query: ListQuery) async throws -> Page<Rollout>
    /// Deletes a finished rollout and its host records (409 while it is unfinished).
    func deleteRollout(tenant: String, id: String) async throws
    /// The hosts of a rollout, in rollout order.
    func rolloutHosts(tenant: String, rolloutId: String, _ query: RolloutHostQuery) async throws
        -> Page<RolloutHostEntry>
    /// Every rollout of every project the controller must look at.
    func rolloutWork() async throws -> [RolloutWork]
    /// The rollout `id` with its version, for an operator action.
    func rolloutWork(tenant: String, id: String) async throws -> RolloutWork
    /// The hosts the controller follows in a rollout (pending or updating, wave open) with each one's newest run
    /// since its wave opened; hosts pending with no run yet are left out.
    func rolloutObservations(tenant: String, rolloutId: String) async throws -> [RolloutObservation]
    /// Hosts of a rollout by wave and state (the source of the waves' counts).
    func rolloutCounts(tenant: String, rolloutId: String) async throws -> [Int: RolloutCounts]
    /// Writes one controller step or operator action in one transaction, if the rollout's version is still
    /// `version`; false (nothing written) when it moved meanwhile.
    func applyRolloutAdvance(tenant: String, _ advance: RolloutAdvance, version: Int64, now: Int64) async throws
        -> Bool

    // MARK: Schedules

    /// Creates a single schedule (start in the future, target existing).
    func createSingleSchedule(tenant: String, _ schedule: SingleSchedule) async throws -> SingleSchedule
    /// The single schedule `id`.
    func singleSchedule(tenant: String, id: String) async throws -> SingleSchedule
    /// Replaces a single schedule (a changed start must be in the future).
    func updateSingleSchedule(tenant: String, _ schedule: SingleSchedule) async throws -> SingleSchedule
    /// Deletes a single schedule.
    func deleteSingleSchedule(tenant: String, id: String) async throws
    /// Lists single schedules with the target/inheritance/activity constraints.
    func singleSchedules(tenant: String, _ query: ScheduleQuery) async throws -> Page<SingleSchedule>
    /// Creates a repeated schedule.
    func createRepeatedSchedule(tenant: String, _ schedule: RepeatedSchedule) async throws -> RepeatedSchedule
    /// The repeated schedule `id`.
    func repeatedSchedule(tenant: String, id: String) async throws -> RepeatedSchedule
    /// Replaces a repeated schedule.
    func updateRepeatedSchedule(tenant: String, _ schedule: RepeatedSchedule) async throws -> RepeatedSchedule
    /// Deletes a repeated schedule.
    func deleteRepeatedSchedule(tenant: String, id: String) async throws
    /// Lists repeated schedules with the target/inheritance/activity constraints.
    func repeatedSchedules(tenant: String, _ query: ScheduleQuery) async throws -> Page<RepeatedSchedule>
    /// Every schedule that applies to host `hostId`: its own, its site's and its regions' (the agent's windows).
    func schedules(tenant: String, hostId: String) async throws -> HostSchedules
    /// The schedules that target host `hostId` itself (none inherited).
    func ownSchedules(tenant: String, hostId: String) async throws -> HostSchedules
    /// The schedules that site `siteId` passes on to its hosts: its own and those of every ancestor region.
    func siteSchedules(tenant: String, siteId: String) async throws -> HostSchedules
}
